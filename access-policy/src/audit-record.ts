/** How an operation ended, as the audit records it (docs/design.md §5). */
export type AuditOutcome = 'ALLOWED' | 'PARTIAL' | 'DENIED' | 'UNAUTHENTICATED' | 'INVALID' | 'ERROR';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ALLOWED', 'PARTIAL', 'DENIED', 'UNAUTHENTICATED', 'INVALID', 'ERROR'];

/**
 * What the gateway knows of one operation when it is done: everything of an audit record but
 * its place in the hash chain.
 */
export interface AuditEntry {
  requestId: string;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  userSub: string | null;
  userName: string | null;
  ori: string | null;
  client: string | null;
  scopes: string[];
  purpose: string | null;
  reason: string | null;
  operationType: string | null;
  operationName: string | null;
  /** SHA-256 of the document text, hex. */
  documentHash: string | null;
  document: string | null;
  /**
   * The id of the registered operation that ran (trusted documents), or the id a refused request
   * named; undefined otherwise. Undefined fields are left out of the hash, so records written
   * before the field existed still verify.
   */
  documentId?: string;
  /** Whether the document was one its client registered; undefined when trusted documents are off. */
  documentTrust?: 'REGISTERED' | 'UNREGISTERED';
  /**
   * The OpenTelemetry trace of the request (32 hex), when the gateway exports traces: an operator
   * goes from a record to the request's spans and back. Undefined when tracing is off, and in
   * records written before the field existed (left out of the hash, like documentId).
   */
  traceId?: string;
  /**
   * For the record of a subscription event delivered: which event it was, `<orderId> <TYPE> v<version>`
   * (`PO-000123 SERVED v2`), so an auditor reads what the subscriber was told. Undefined on every
   * other record, and left out of the hash then.
   */
  deliveredEvent?: string;
  /** The variables as sent: in this field the search criteria are the evidence. */
  variables: Record<string, unknown> | null;
  outcome: AuditOutcome;
  deniedPaths: string[];
  errorCodes: string[];
  /** Field coordinates resolved (`Type.field`). */
  fieldsResolved: string[];
  /** Typed ids disclosed (`Person:A10000001`, `ProtectiveOrder:PO-000001`, `Alert:AL-…`). */
  subjects: string[];
  sourceAddress: string | null;
  userAgent: string | null;
  durationMs: number;
}

/** An audit record: an entry placed in its chain. Never updated, never deleted (retention aside). */
export interface AuditRecord extends AuditEntry {
  /** One chain per gateway process. */
  chainId: string;
  /** 1, 2, 3… within the chain. */
  seq: number;
  /** Hash of the previous record in the chain (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 over prevHash and the canonical record. */
  hash: string;
}
