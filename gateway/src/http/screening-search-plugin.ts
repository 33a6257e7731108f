import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode, forbidden } from '../../../access-policy/src';
import type { GatewayContext } from '../context';
import { isScreeningClient, type RateLimits } from './rate-limits';

/** The root field a background-check client screens with. */
const SEARCH_FIELD = 'searchPersons';

/**
 * How many times an operation asks for `searchPersons` at its root, aliases and fragments
 * included (a fragment spread twice counts twice).
 */
export function countRootSearches(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): number {
  let n = 0;
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) n += s.name.value === SEARCH_FIELD ? 1 : 0;
    else if (s.kind === Kind.INLINE_FRAGMENT) n += countRootSearches(s.selectionSet, fragments);
    else {
      const fragment = fragments[s.name.value];
      // Validation has refused unknown and cyclic fragments by now.
      if (fragment) n += countRootSearches(fragment.selectionSet, fragments);
    }
  }
  return n;
}

/**
 * Background-check clients (person:match without person:read) make one `searchPersons` per
 * operation, and each search counts against their daily quota (docs/design.md §4 rule 9). Checked once
 * the operation is known and before any subgraph is called: fifteen aliased searches over
 * neighbouring dates would otherwise cost one request and recover a date of birth.
 */
export function screeningSearchPlugin(rateLimits: RateLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        // Fires once the document is parsed, validated and its operation chosen.
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation || !isScreeningClient(contextValue.identity)) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const searches = countRootSearches(operation.selectionSet, fragments);
          if (searches === 0) return;
          if (searches > 1) throw forbidden(`A background-check client may make one ${SEARCH_FIELD} per operation; this one holds ${searches}`, 403);
          const refusal = await rateLimits.takeScreeningSearch(contextValue.identity);
          if (refusal) {
            throw new GraphQLError(`Too many requests: the daily quota of this background-check client is spent; retry in ${refusal.retryAfterSeconds} s`, {
              extensions: { code: ErrorCode.RATE_LIMITED, http: { status: 429, headers: new Map([['retry-after', String(refusal.retryAfterSeconds)]]) } },
            });
          }
        },
      };
    },
  };
}
