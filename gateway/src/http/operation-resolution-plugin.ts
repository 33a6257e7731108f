import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * Refuses a request whose document has no operation by the name asked for (or several and no
 * name), with a plain OPERATION_RESOLUTION_FAILURE (400). Apollo Server hands such a request to
 * @apollo/gateway's executor, which fails it with an opaque internal error.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        // Fires once the document is parsed, validated and its operation chosen (or not).
        async didResolveOperation({ operation, request }) {
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
