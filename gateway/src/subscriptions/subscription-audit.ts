import type { AuditEntry, AuditOutcome, Caller } from '../../../access-policy/src';
import type { ProtectiveOrderFeedEvent } from '../../../schema/events/protective-order-events';
import { buildAuditEntry, type RequestFacts } from '../audit/audit-entry';
import type { VerifiedIdentity } from '../identity/authenticate';
import type { DocumentTrust } from '../trusted-documents/trusted-documents-policy';
import type { SubscriptionTarget } from './subscription-request';

/** What a subscribe message sent: the evidence its records keep. */
export interface SentSubscription {
  document: string | null;
  variables: Record<string, unknown> | null;
  operationName: string | null;
  documentId?: string;
  documentTrust?: DocumentTrust;
}

/** The typed id a subscription's target is (`ProtectiveOrder:PO-…` or `Person:A…`). */
export function targetSubject(target: SubscriptionTarget): string {
  return target.orderId !== undefined ? `ProtectiveOrder:${target.orderId}` : `Person:${target.personId}`;
}

/**
 * The record of a subscribe message, allowed or refused (docs/design.md §5: every operation that
 * reaches the gateway). An allowed one names its target as a subject: who follows whom is what
 * an auditor asks, though nothing about the target is disclosed yet.
 */
export function subscribeEntry(
  facts: RequestFacts,
  sent: SentSubscription,
  who: { identity: VerifiedIdentity; caller?: Caller | null },
  verdict: { outcome: AuditOutcome; errorCodes?: string[]; target?: SubscriptionTarget; fieldsResolved?: string[] },
): AuditEntry {
  return buildAuditEntry(facts, {
    identity: who.identity,
    caller: who.caller ?? null,
    document: sent.document,
    variables: sent.variables,
    operationType: 'subscription',
    operationName: sent.operationName,
    documentId: sent.documentId,
    documentTrust: sent.documentTrust,
    outcome: verdict.outcome,
    errorCodes: verdict.errorCodes ?? [],
    subjects: verdict.outcome === 'ALLOWED' && verdict.target ? [targetSubject(verdict.target)] : [],
    fieldsResolved: verdict.outcome === 'ALLOWED' ? verdict.fieldsResolved : [],
  });
}

/**
 * The record of one event delivered (docs/design.md §5: "every subscription event delivered is
 * recorded"): one record per delivery in the gateway's hash chain, under the subscription's
 * request id, with the order as subject — and the person too when the subscription follows a
 * person, since the event tells the subscriber that person's order changed.
 */
export function deliveryEntry(
  facts: RequestFacts,
  sent: SentSubscription,
  caller: Caller,
  target: SubscriptionTarget,
  event: ProtectiveOrderFeedEvent,
  fieldsResolved: readonly string[],
): AuditEntry {
  const subjects = [`ProtectiveOrder:${event.orderId}`, ...(target.personId !== undefined ? [`Person:${target.personId}`] : [])];
  return buildAuditEntry(facts, {
    caller,
    document: sent.document,
    variables: sent.variables,
    operationType: 'subscription',
    operationName: sent.operationName,
    documentId: sent.documentId,
    documentTrust: sent.documentTrust,
    outcome: 'ALLOWED',
    subjects,
    fieldsResolved,
    deliveredEvent: { orderId: event.orderId, type: event.type, version: event.version },
  });
}
