import {
  getOperationAST,
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values';
import { badUserInput, ErrorCode, type AuditOutcome } from '../../../access-policy/src';

/** The one subscription field the gateway serves (docs/design.md §2). */
export const SUBSCRIPTION_FIELD = 'protectiveOrderEvents';
/** Its coordinate, as the supergraph's `@access` declares it. */
export const SUBSCRIPTION_COORDINATE = `Subscription.${SUBSCRIPTION_FIELD}`;

/** An order id as the orders service issues them. */
const ORDER_ID = /^PO-\d{6,12}$/;
/** A state identification number: "A" and 8 digits (docs/design.md §3). */
const PERSON_ID = /^A\d{8}$/;

/** Which orders a subscription follows: one order, or every order a person is party to. */
export type SubscriptionTarget = { orderId: string; personId?: undefined } | { personId: string; orderId?: undefined };

/** A subscribe message that may run. */
export interface AcceptedSubscription {
  ok: true;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null;
  variables: Record<string, unknown>;
  target: SubscriptionTarget;
}

/** A subscribe message refused before anything is attached: its errors, and how the audit records it. */
export interface RefusedSubscription {
  ok: false;
  errors: GraphQLError[];
  outcome: AuditOutcome;
  /** The operation's name, when the document was read far enough to know it (for the audit). */
  operationName?: string | null;
}

/** What the caller sent in a graphql-ws `subscribe` message. */
export interface SubscribePayload {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

function refused(outcome: AuditOutcome, errors: readonly GraphQLError[]): RefusedSubscription {
  return { ok: false, outcome, errors: [...errors] };
}

function coded(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** "Did you mean …" names fields even with introspection off (docs/design.md §7). */
function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean .*$/s, '');
}

/**
 * Reads one subscribe message against the gateway's API schema: parsed (with the token limit),
 * validated (with the gateway's document limits), and only `protectiveOrderEvents` with exactly
 * one of `orderId` and `personId`, each in its documented format. Messages say what is wrong
 * with the request, never anything about records.
 */
export function readSubscription(
  schema: GraphQLSchema,
  payload: SubscribePayload,
  limits: { parseOptions: ParseOptions; validationRules: readonly ValidationRule[] },
): AcceptedSubscription | RefusedSubscription {
  let document: DocumentNode;
  try {
    document = parse(payload.query, limits.parseOptions);
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : 'The document does not parse';
    return refused('INVALID', [coded(ErrorCode.GRAPHQL_PARSE_FAILED, message)]);
  }
  const invalid = validate(schema, document, [...specifiedRules, ...limits.validationRules]);
  if (invalid.length > 0) {
    return refused(
      'INVALID',
      invalid.slice(0, 5).map((e) => coded(ErrorCode.GRAPHQL_VALIDATION_FAILED, withoutSuggestions(e.message))),
    );
  }
  const operation = getOperationAST(document, payload.operationName ?? undefined);
  if (!operation) return refused('INVALID', [coded(ErrorCode.BAD_REQUEST, 'Name the operation to run (operationName)')]);
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return refused('INVALID', [coded(ErrorCode.BAD_REQUEST, 'Only subscriptions run over this connection; send queries and mutations with POST /graphql')]);
  }
  // Validation already holds a subscription to one root field, without __typename beside it.
  const root = operation.selectionSet.selections[0];
  if (operation.selectionSet.selections.length !== 1 || root.kind !== Kind.FIELD || root.name.value !== SUBSCRIPTION_FIELD) {
    return refused('INVALID', [coded(ErrorCode.BAD_REQUEST, `Subscribe to ${SUBSCRIPTION_FIELD}, as its only root field`)]);
  }
  const operationName = operation.name?.value ?? null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
  if (coerced.errors)
    return {
      ...refused(
        'INVALID',
        coerced.errors.slice(0, 5).map((e) => badUserInput(e.message)),
      ),
      operationName,
    };
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(schema.getSubscriptionType()!.getFields()[SUBSCRIPTION_FIELD], root, coerced.coerced);
  } catch (error) {
    return { ...refused('INVALID', [badUserInput((error as Error).message)]), operationName };
  }
  const target = targetOf(args);
  if (target instanceof GraphQLError) return { ...refused('INVALID', [target]), operationName };
  return {
    ok: true,
    document,
    operation,
    operationName,
    variables: coerced.coerced,
    target,
  };
}

function targetOf(args: Record<string, unknown>): SubscriptionTarget | GraphQLError {
  const orderId = typeof args.orderId === 'string' ? args.orderId : null;
  const personId = typeof args.personId === 'string' ? args.personId : null;
  if ((orderId === null) === (personId === null)) {
    return badUserInput(`${SUBSCRIPTION_FIELD} takes exactly one of orderId and personId`, { argumentName: orderId === null ? 'orderId' : 'personId' });
  }
  if (orderId !== null) {
    if (!ORDER_ID.test(orderId)) return badUserInput('orderId must be an order id such as PO-000001', { argumentName: 'orderId' });
    return { orderId };
  }
  if (!PERSON_ID.test(personId!)) return badUserInput('personId must be a state identification number: "A" and 8 digits', { argumentName: 'personId' });
  return { personId: personId! };
}
