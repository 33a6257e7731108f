import {
  defaultFieldResolver,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { DisclosureLog } from './disclosure-log';
import type { SubgraphContext, SubgraphModule } from './subgraph-module';

type SubjectOf = SubgraphModule['subjectOf'];

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Names the subjects of the objects a field returned. Existence is disclosure (docs/design.md,
 * "the audit"): `person(id: …) { __typename }` resolves no field of the person, yet its answer
 * confirms that the person exists. `typeName` is null for an abstract type (`_entities`, a union):
 * each object then says its own type, as @apollo/subgraph's entity resolver sets `__typename`.
 */
function noteReturned(log: DisclosureLog, subjectOf: SubjectOf, typeName: string | null, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) noteReturned(log, subjectOf, typeName, item);
    return;
  }
  if (isPromiseLike(value)) {
    // An item of a list may still be pending (entities by key): note it when it settles; a
    // rejection is the executor's to report, not ours.
    value.then(
      (settled) => noteReturned(log, subjectOf, typeName, settled),
      () => undefined,
    );
    return;
  }
  if (typeof value !== 'object') return;
  const type = typeName ?? (value as { __typename?: unknown }).__typename;
  if (typeof type !== 'string') return;
  const subject = subjectOf(type, value);
  if (subject) log.subjects.add(subject);
}

/**
 * Records what each request discloses — the field coordinates resolved, the subjects they belong
 * to, and the subjects of every object a field returned — by wrapping every field's resolver once,
 * at start-up. Applied before the access rules, so shield's middleware wraps this wrapper: a denied
 * field never reaches it, and what a denied field would have returned is never counted. (Cheaper
 * than an Apollo `willResolveField` hook, which instruments every field of every request.)
 */
export function instrumentDisclosure(schema: GraphQLSchema, subjectOf: SubjectOf): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, SubgraphContext> = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      const typeName = type.name;
      const returned = getNamedType(field.type);
      // Only fields that return objects can confirm an entity; leaves are left alone (most fields).
      const returnsObjects = isCompositeType(returned);
      const returnedTypeName = isAbstractType(returned) ? null : returned.name;
      field.resolve = (source: unknown, args: Record<string, unknown>, ctx: SubgraphContext, info: GraphQLResolveInfo) => {
        const log = ctx?.disclosure;
        if (!log) return resolve(source, args, ctx, info);
        log.fields.add(coordinate);
        // The fields of one object arrive one after another: name its subject once.
        if (source !== log.lastSource) {
          log.lastSource = source;
          const subject = subjectOf(typeName, source);
          if (subject) log.subjects.add(subject);
        }
        const result = resolve(source, args, ctx, info);
        if (!returnsObjects) return result;
        if (isPromiseLike(result)) {
          return Promise.resolve(result).then((value) => {
            noteReturned(log, subjectOf, returnedTypeName, value);
            return value;
          });
        }
        noteReturned(log, subjectOf, returnedTypeName, result);
        return result;
      };
    }
  }
  return schema;
}
