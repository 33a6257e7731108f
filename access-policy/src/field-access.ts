import { Kind, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import type { Caller } from './caller';
import { isPurposeCode, type PurposeCode } from './purposes';

/**
 * The spec of the project's own field-access directive. Subgraphs import it with
 * `@link(url: ACCESS_SPEC_URL, import: ["@access"])` and `@composeDirective(name: "@access")`, so
 * composition carries every application into the supergraph, where the gateway reads it.
 * (@apollo/gateway 2.14 refuses supergraphs that use Apollo's own `@requiresScopes`/`@policy`.)
 * The host is under `.invalid`: nothing ever fetches the URL, it only names the spec and version.
 */
export const ACCESS_SPEC_URL = 'https://specs.custodian.invalid/access/v1.0';

/** The directive's name, without `@`. */
export const ACCESS_DIRECTIVE = 'access';

/** The prefix that makes a requirement a purpose (`purpose:I`) rather than a scope. */
const PURPOSE_PREFIX = 'purpose:';

/** One way to be allowed: every scope listed, and the purpose when one is named. */
export interface AccessAlternative {
  readonly scopes: readonly string[];
  readonly purpose: PurposeCode | null;
}

/** Who may read one field: any one of the alternatives. An empty list lets nobody in. */
export type FieldAccess = readonly AccessAlternative[];

/** Field coordinate (`Type.field`) → its declared access. */
export type FieldAccessMap = ReadonlyMap<string, FieldAccess>;

/**
 * The `@access` declarations of an SDL (a subgraph's, or the composed supergraph), by field
 * coordinate. Several applications on one field (the supergraph holds one per subgraph that
 * declares a shared field) are alternatives of one another: the field is readable when any is.
 * Throws, naming the field, on a requirement that is neither a scope nor a known purpose.
 */
export function readFieldAccess(document: DocumentNode): FieldAccessMap {
  const found = new Map<string, AccessAlternative[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const coordinate = `${definition.name.value}.${field.name.value}`;
      for (const directive of field.directives ?? []) {
        if (directive.name.value !== ACCESS_DIRECTIVE) continue;
        const alternatives = found.get(coordinate) ?? [];
        alternatives.push(...alternativesOf(directive, coordinate));
        found.set(coordinate, alternatives);
      }
    }
  }
  return found;
}

function alternativesOf(directive: ConstDirectiveNode, coordinate: string): AccessAlternative[] {
  const anyOf = directive.arguments?.find((a) => a.name.value === 'anyOf')?.value;
  if (!anyOf || anyOf.kind !== Kind.LIST) throw new TypeError(`@access on ${coordinate} needs anyOf: [[String!]!]!`);
  return anyOf.values.map((inner) => {
    const requirements = inner.kind === Kind.LIST ? inner.values : [inner];
    const scopes: string[] = [];
    let purpose: PurposeCode | null = null;
    for (const value of requirements) {
      if (value.kind !== Kind.STRING) throw new TypeError(`@access on ${coordinate}: every requirement is a string`);
      if (value.value.startsWith(PURPOSE_PREFIX)) {
        const code = value.value.slice(PURPOSE_PREFIX.length);
        if (!isPurposeCode(code) || purpose !== null) throw new TypeError(`@access on ${coordinate}: one known purpose per alternative, got ${value.value}`);
        purpose = code;
      } else {
        scopes.push(value.value);
      }
    }
    return { scopes, purpose };
  });
}

/** True when the caller meets one of the alternatives. No caller, no access. */
export function accessAllows(access: FieldAccess | undefined, caller: Pick<Caller, 'scopes' | 'purpose'> | null | undefined): boolean {
  if (!access || !caller) return false;
  return access.some((alt) => alt.scopes.every((s) => caller.scopes.has(s)) && (alt.purpose === null || caller.purpose === alt.purpose));
}

/**
 * The declaration in words, as the explorer's documentation and rule names show it:
 * `person:read | person:match`, `criminal_history:employment + purpose I`.
 */
export function describeAccess(access: FieldAccess): string {
  if (access.length === 0) return 'nobody';
  return access.map((alt) => [...alt.scopes, ...(alt.purpose ? [`purpose ${alt.purpose}`] : [])].join(' + ')).join(' | ');
}
