import { Kind, parse, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import { accessAllows, readFieldAccess, type Caller, type FieldAccess, type FieldAccessMap } from '../../../access-policy/src';

/**
 * The field rules the subgraphs declare (`@access`), as composition carried them into the
 * supergraph: what the gateway checks before it plans. A field shared by several subgraphs holds
 * each one's declaration, and is readable when any is — the gateway removes only what no subgraph
 * would ever serve this caller; each subgraph still applies its own rule, and its row rules.
 */
export class FieldPolicy {
  private constructor(
    private readonly access: FieldAccessMap,
    private readonly sources: ReadonlyMap<string, string>,
  ) {}

  /** The policy of a composed supergraph's SDL text. */
  static fromSupergraph(supergraphSdl: string): FieldPolicy {
    const document = parse(supergraphSdl);
    return new FieldPolicy(readFieldAccess(document), soleSources(document));
  }

  /**
   * The subgraph that alone serves `Type.field`, named as a subgraph's own denial names it
   * (`extensions.serviceName`); undefined for a field several subgraphs serve.
   */
  sourceOf(coordinate: string): string | undefined {
    return this.sources.get(coordinate);
  }

  /** The declaration of `Type.field`, or undefined when the supergraph has none. */
  declared(coordinate: string): FieldAccess | undefined {
    return this.access.get(coordinate);
  }

  /**
   * Whether this caller could ever read `Type.field`. A field nobody declared is read by nobody:
   * each subgraph's fallback rule denies it too (deny by default, docs/design.md §4).
   */
  mayRead(coordinate: string, caller: Pick<Caller, 'scopes' | 'purpose'>): boolean {
    return accessAllows(this.access.get(coordinate), caller);
  }

  /** Every declared field, for the explorer. */
  coordinates(): IterableIterator<string> {
    return this.access.keys();
  }
}

/** Field coordinate → the one subgraph that serves it (join__field, else the type's join__type). */
function soleSources(document: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  for (const d of document.definitions) {
    if (d.kind !== Kind.ENUM_TYPE_DEFINITION || d.name.value !== 'join__Graph') continue;
    for (const value of d.values ?? []) {
      const name = argument(
        value.directives?.find((x) => x.name.value === 'join__graph'),
        'name',
      );
      if (name) names.set(value.name.value, name);
    }
  }
  const graphsOf = (directives: readonly ConstDirectiveNode[] | undefined, directive: string) =>
    (directives ?? []).filter((x) => x.name.value === directive && argument(x, 'external') !== 'true').map((x) => argument(x, 'graph'));
  const sources = new Map<string, string>();
  for (const d of document.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const typeGraphs = graphsOf(d.directives, 'join__type');
    for (const field of d.fields ?? []) {
      const fieldGraphs = graphsOf(field.directives, 'join__field');
      const graphs = new Set(fieldGraphs.length > 0 ? fieldGraphs : typeGraphs);
      const [only] = graphs;
      if (graphs.size === 1 && only && names.has(only)) sources.set(`${d.name.value}.${field.name.value}`, names.get(only)!);
    }
  }
  return sources;
}

function argument(directive: ConstDirectiveNode | undefined, name: string): string | undefined {
  const value = directive?.arguments?.find((a) => a.name.value === name)?.value;
  if (!value) return undefined;
  if (value.kind === Kind.STRING || value.kind === Kind.ENUM) return value.value;
  if (value.kind === Kind.BOOLEAN) return String(value.value);
  return undefined;
}
