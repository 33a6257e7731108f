import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { checkPurpose } from '../../../access-policy/src';
import type { GatewayContext } from '../context';

/**
 * Root fields that look up no one and so need no purpose: the auditors' queries and the
 * schema's own. Every other root field, and every mutation, is a lookup (docs/design.md §4).
 */
export const PURPOSE_FREE_ROOT_FIELDS: ReadonlySet<string> = new Set(['__typename', '__schema', '__type', 'auditEvents', 'misuseSignals']);

/** True when the operation reaches a record source and therefore needs a purpose. */
export function operationNeedsPurpose(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== OperationTypeNode.QUERY) return true;
  return operation.selectionSet.selections.some((s) => s.kind !== Kind.FIELD || !PURPOSE_FREE_ROOT_FIELDS.has(s.name.value));
}

/**
 * Checks the declared purpose and reason once the operation is known, before any subgraph is
 * called: a missing purpose, one the token does not grant, R, or C/D/F without a reason refuses
 * the whole operation with FORBIDDEN (403). A purpose header sent with a purpose-free operation
 * is still checked: a wrong declaration is never silently ignored.
 */
export function purposePlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        // Fires once the document is parsed, validated and its operation chosen.
        async didResolveOperation({ operation, contextValue }) {
          // No operation to run: operationResolutionPlugin refuses the request, and with no caller
          // set nothing can reach a subgraph.
          if (!operation) return;
          const needs = operationNeedsPurpose(operation);
          const { purpose, reason } = contextValue.declared;
          const base = { ...contextValue.identity, requestId: contextValue.requestId };
          if (!needs && !purpose) {
            contextValue.caller = { ...base, purpose: null, reason: null };
            return;
          }
          const accepted = checkPurpose(contextValue.identity.purposes, purpose, reason);
          contextValue.caller = { ...base, ...accepted };
        },
      };
    },
  };
}
