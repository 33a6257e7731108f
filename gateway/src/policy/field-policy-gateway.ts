import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context';
import { answerRemovedFields } from './answer-removed-fields';
import type { FieldPolicy } from './field-policy';
import { pruneOperation, type PrunedOperation } from './prune-operation';

/** What Apollo Server takes as its `gateway` (@apollo/server re-exports no name for it). */
type GatewayInterface = ApolloServerOptionsWithGateway<GatewayContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

/**
 * @apollo/gateway behind the field policy (docs/design.md §4 rule 13): before the gateway plans an
 * operation, every field the caller's scopes and purpose can never read is taken out of the
 * document; the rest is planned and fetched, and each removed field is answered null with a
 * FORBIDDEN error at its path. A subgraph none of whose requested fields is left is not called.
 *
 * The wrapped executor is handed a request context of its own (the library builds a fresh one for
 * every operation) with the pruned document and a query hash of its own: @apollo/gateway keys its
 * plan cache by the query hash (and operation name), so callers for whom different fields were
 * removed never share a plan, and callers for whom the same fields were removed — the same pruned
 * document — do. Nothing of the library is replaced.
 *
 * The audit plugin sees the added errors in the response (willSendResponse runs after
 * execution), so each removed path is recorded among the denied paths.
 */
export function withFieldPolicy(gateway: ApolloGateway, policy: FieldPolicy): GatewayInterface {
  return {
    async load(options) {
      const loaded = await gateway.load(options);
      return { ...loaded, executor: loaded.executor && prunedExecutor(loaded.executor, policy) };
    },
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
  };
}

function prunedExecutor(execute: GatewayExecutor, policy: FieldPolicy): GatewayExecutor {
  return async (requestContext) => {
    const { document, schema, request } = requestContext;
    const caller = (requestContext.context as GatewayContext).caller;
    // No caller means the purpose check has not accepted one; it refuses such operations before
    // execution, and the subgraphs would deny every field anyway.
    if (!document || !caller) return execute(requestContext);
    const pruned = pruneOperation(document, schema, (coordinate) => policy.mayRead(coordinate, caller));
    if (!pruned) return execute(requestContext);
    const operationName = requestContext.operationName ?? request.operationName;
    const operation = pruned.document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
    );
    const answer = await execute({
      ...requestContext,
      document: pruned.document,
      operation: operation ?? requestContext.operation,
      queryHash: prunedQueryHash(requestContext.queryHash, pruned),
    });
    return answerRemovedFields(answer, document, operationName, schema, request.variables, pruned, (coordinate) => policy.sourceOf(coordinate));
  };
}

/** The original query's hash and the removed coordinates, which together determine the pruned document. */
function prunedQueryHash(queryHash: string, pruned: PrunedOperation): string {
  return createHash('sha256').update(queryHash).update('\0pruned:').update(pruned.removedCoordinates.join(',')).digest('hex');
}
