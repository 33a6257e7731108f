import type { AuditEntry, AuditOutcome, Caller } from '../../../access-policy/src';
import type { VerifiedIdentity } from '../identity/authenticate';
import { sha256 } from './hash-chain';

/** Longest free text kept from a header the caller controls (a refused over-long reason, say). */
const MAX_HEADER_TEXT = 256;
/** Longest document text kept; its hash always covers the whole. */
const MAX_DOCUMENT = 100_000;

function clip(text: string | undefined | null, max = MAX_HEADER_TEXT): string | null {
  if (text === undefined || text === null || text === '') return null;
  return text.length > max ? text.slice(0, max) : text;
}

/** What the HTTP layer knows of a request, for its audit entry. */
export interface RequestFacts {
  requestId: string;
  startedAt: number;
  ip: string | undefined;
  userAgent: string | undefined;
  declaredPurpose: string | undefined;
  declaredReason: string | undefined;
}

/** What the GraphQL layer knows (all optional: a request may fail before any of it exists). */
export interface OperationFacts {
  identity?: VerifiedIdentity | null;
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
}

/** Builds the audit entry of one request. Purpose and reason are the accepted ones, else those declared. */
export function buildAuditEntry(request: RequestFacts, op: OperationFacts): AuditEntry {
  const identity = op.identity ?? op.caller ?? null;
  const document = typeof op.document === 'string' ? op.document : null;
  return {
    requestId: request.requestId,
    at: new Date().toISOString(),
    userSub: identity?.sub ?? null,
    userName: identity?.name ?? null,
    ori: identity?.ori ?? null,
    client: identity?.client ?? null,
    scopes: identity ? [...identity.scopes].sort() : [],
    purpose: op.caller?.purpose ?? clip(request.declaredPurpose?.trim().toUpperCase(), 8),
    reason: op.caller?.reason ?? clip(request.declaredReason),
    operationType: op.operationType ?? null,
    operationName: clip(op.operationName ?? null),
    documentHash: document === null ? null : sha256(document),
    document: document === null ? null : document.slice(0, MAX_DOCUMENT),
    variables: op.variables && typeof op.variables === 'object' ? op.variables : null,
    outcome: op.outcome,
    deniedPaths: op.deniedPaths ?? [],
    errorCodes: [...new Set(op.errorCodes ?? [])].sort(),
    fieldsResolved: [...new Set(op.fieldsResolved ?? [])].sort(),
    subjects: [...new Set(op.subjects ?? [])].sort(),
    sourceAddress: request.ip ?? null,
    userAgent: clip(request.userAgent),
    durationMs: Math.max(0, Math.round(Date.now() - request.startedAt)),
  };
}
