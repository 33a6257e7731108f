import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';

/**
 * The schema callers see (the supergraph without federation's join types and directives), as
 * graphql-js: what subscribe messages are validated and executed against. The same API schema
 * @apollo/gateway derives for queries, from the same supergraph text.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}
