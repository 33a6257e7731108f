import type { AuditEntry, AuditOutcome, Caller } from '../../../access-policy/src';
import type { VerifiedIdentity } from '../identity/authenticate';
import { evidenceText, evidenceTextOrNull, evidenceValue } from './evidence-text';
import { sha256 } from './hash-chain';

/** Longest free text kept from a header the caller controls (a refused over-long reason, say). */
const MAX_HEADER_TEXT = 256;
/** Longest document text kept; its hash always covers the whole. */
const MAX_DOCUMENT = 100_000;

/** A caller's free text, clipped, then made storable (clipping may split a surrogate pair). */
function clip(text: string | undefined | null, max = MAX_HEADER_TEXT): string | null {
  if (text === undefined || text === null || text === '') return null;
  return evidenceText(text.length > max ? text.slice(0, max) : text);
}

/** A SHA-256 as hex: what a persisted-query hash must look like before the audit repeats it. */
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** A W3C trace id: 32 lowercase hex digits. */
const TRACE_ID = /^[0-9a-f]{32}$/;

/** What the HTTP layer knows of a request, for its audit entry. */
export interface RequestFacts {
  requestId: string;
  startedAt: number;
  ip: string | undefined;
  userAgent: string | undefined;
  declaredPurpose: string | undefined;
  declaredReason: string | undefined;
  /** The request's trace id, when tracing is on (never one a caller sent: see requestSpan). */
  traceId?: string;
}

/** What the GraphQL layer knows (all optional: a request may fail before any of it exists). */
export interface OperationFacts {
  identity?: VerifiedIdentity | null;
  /**
   * Who a refused token named, when no identity was accepted: its `sub` when the signature
   * verified (expired, say), `unverified:<sub>` when it did not (forged, unsigned, edited).
   */
  claimedUser?: string | null;
  caller?: Caller | null;
  document?: string | null;
  variables?: Record<string, unknown> | null;
  operationType?: string | null;
  operationName?: string | null;
  outcome: AuditOutcome;
  deniedPaths?: string[];
  errorCodes?: string[];
  fieldsResolved?: Iterable<string>;
  subjects?: Iterable<string>;
  /**
   * The document hash a request named instead of sending its document (an automatic persisted
   * query, refused): recorded as the document hash, so the record still says what was asked for.
   */
  namedDocumentHash?: unknown;
  /** The registered operation's id (trusted documents), or the id a refused request named. */
  documentId?: string;
  documentTrust?: 'REGISTERED' | 'UNREGISTERED';
  /** The subscription event this record delivers (subscription-audit.ts). */
  deliveredEvent?: { orderId: string; type: string; version: number };
}

/**
 * Builds the audit entry of one request. Purpose and reason are the accepted ones, else those
 * declared. Every text a caller could shape is made storable here, before the record is hashed,
 * so the hash covers exactly what the store keeps (evidence-text.ts).
 */
export function buildAuditEntry(request: RequestFacts, op: OperationFacts): AuditEntry {
  const identity = op.identity ?? op.caller ?? null;
  const document = typeof op.document === 'string' ? op.document : null;
  const named = typeof op.namedDocumentHash === 'string' && SHA256_HEX.test(op.namedDocumentHash) ? op.namedDocumentHash.toLowerCase() : null;
  return {
    requestId: request.requestId,
    at: new Date().toISOString(),
    userSub: evidenceTextOrNull(identity?.sub ?? op.claimedUser ?? null),
    userName: evidenceTextOrNull(identity?.name ?? null),
    ori: evidenceTextOrNull(identity?.ori ?? null),
    client: evidenceTextOrNull(identity?.client ?? null),
    scopes: identity ? [...identity.scopes].map(evidenceText).sort() : [],
    purpose: op.caller?.purpose ?? clip(request.declaredPurpose?.trim().toUpperCase(), 8),
    reason: op.caller?.reason != null ? evidenceText(op.caller.reason) : clip(request.declaredReason),
    operationType: op.operationType ?? null,
    operationName: clip(op.operationName ?? null),
    documentHash: document === null ? named : sha256(document),
    document: document === null ? null : evidenceText(document.slice(0, MAX_DOCUMENT)),
    // Always present (undefined when none), so every record has one shape for the hash's fast path.
    documentId: clip(op.documentId) ?? undefined,
    documentTrust: op.documentTrust,
    traceId: request.traceId && TRACE_ID.test(request.traceId) ? request.traceId : undefined,
    deliveredEvent: op.deliveredEvent ? (clip(`${op.deliveredEvent.orderId} ${op.deliveredEvent.type} v${op.deliveredEvent.version}`) ?? undefined) : undefined,
    variables: op.variables && typeof op.variables === 'object' ? (evidenceValue(op.variables) as Record<string, unknown>) : null,
    outcome: op.outcome,
    deniedPaths: op.deniedPaths ?? [],
    errorCodes: [...new Set(op.errorCodes ?? [])].sort(),
    fieldsResolved: [...new Set(op.fieldsResolved ?? [])].sort(),
    subjects: [...new Set(op.subjects ?? [])].sort(),
    sourceAddress: evidenceTextOrNull(request.ip ?? null),
    userAgent: clip(request.userAgent),
    durationMs: Math.max(0, Math.round(Date.now() - request.startedAt)),
  };
}
