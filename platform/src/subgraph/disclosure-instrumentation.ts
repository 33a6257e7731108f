import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { SubgraphContext, SubgraphModule } from './subgraph-module';

/**
 * Records what each request discloses — the field coordinates resolved and the subjects they
 * belong to — by wrapping every field's resolver once, at start-up. Applied before the access
 * rules, so shield's middleware wraps this wrapper: a denied field never reaches it. (Cheaper than
 * an Apollo `willResolveField` hook, which instruments every field of every request.)
 */
export function instrumentDisclosure(schema: GraphQLSchema, subjectOf: SubgraphModule['subjectOf']): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, SubgraphContext> = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      const typeName = type.name;
      field.resolve = (source, args, ctx, info) => {
        const log = ctx?.disclosure;
        if (log) {
          log.fields.add(coordinate);
          // The fields of one object arrive one after another: name its subject once.
          if (source !== log.lastSource) {
            log.lastSource = source;
            const subject = subjectOf(typeName, source);
            if (subject) log.subjects.add(subject);
          }
        }
        return resolve(source, args, ctx, info);
      };
    }
  }
  return schema;
}
