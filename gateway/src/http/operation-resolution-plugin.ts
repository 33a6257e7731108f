import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';

/**
 * Refuses a request whose document has no operation by the name asked for (or several and no
 * name), with a plain OPERATION_RESOLUTION_FAILURE (400). Apollo Server hands such a request to
 * @apollo/gateway's executor, which fails it with an opaque internal error — as it does a
 * subscription, which is refused here too (BAD_REQUEST, 400) with where to send it.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        // Fires once the document is parsed, validated and its operation chosen (or not).
        async didResolveOperation({ operation, request }) {
          // @apollo/gateway executes no subscription: the gateway serves them over graphql-ws (docs/design.md §8, decision 26).
          if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
            throw new GraphQLError('Subscriptions run over the graphql-ws protocol: open a WebSocket to /graphql', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          if (operation) return;
          throw new GraphQLError(
            request.operationName
              ? `Unknown operation named "${request.operationName.slice(0, 100)}"`
              : 'The document holds several operations: name the one to run (operationName)',
            { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } },
          );
        },
      };
    },
  };
}
