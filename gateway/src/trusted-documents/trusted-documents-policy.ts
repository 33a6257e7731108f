import { ErrorCode } from '../../../access-policy/src';
import type { VerifiedIdentity } from '../identity/authenticate';
import { isScreeningClient } from '../http/rate-limits';
import type { TrustedDocumentStore } from './trusted-document-store';

/**
 * Who may send free-form operations (docs/design.md, "trusted documents"):
 * - `enforce-match-only` (production default): background-check clients (match-only scopes) run
 *   only registered operations; everyone else may send any, and unregistered ones are flagged;
 * - `enforce`: every caller runs only registered operations;
 * - `log` (sandbox default): anyone may send any; unregistered ones are flagged;
 * - `off`: no manifests are read, nothing is flagged, ids are not accepted.
 */
export const TRUSTED_DOCUMENTS_MODES = ['enforce-match-only', 'enforce', 'log', 'off'] as const;
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number];

/** Whether the document run was one the client registered. */
export type DocumentTrust = 'REGISTERED' | 'UNREGISTERED';

/** What a request names or sends, read from a POST body or a GET query string. */
export interface SentDocument {
  query: string | undefined;
  /** `documentId`, or `extensions.persistedQuery.sha256Hash` as Apollo Client sends it. */
  id: string | undefined;
}

/** The verdict on one request. */
export type TrustVerdict =
  | { kind: 'run'; query: string | undefined; documentId: string | undefined; trust: DocumentTrust | undefined }
  | {
      kind: 'refuse';
      code: ErrorCode.PERSISTED_QUERY_NOT_FOUND | ErrorCode.OPERATION_NOT_TRUSTED;
      status: number;
      message: string;
      documentId: string | undefined;
    };

/** Reads the id and text a request sent, whatever their shape (anything malformed reads as absent). */
export function sentDocument(params: { query?: unknown; documentId?: unknown; extensions?: unknown }): SentDocument {
  const hash = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  const id = typeof params.documentId === 'string' ? params.documentId : typeof hash === 'string' ? hash : undefined;
  return { query: typeof params.query === 'string' ? params.query : undefined, id };
}

/**
 * Decides whether a request's document may run, and which text runs: a registered operation sent
 * by id runs its registered text; free-form text runs if it is registered verbatim, or if the mode
 * does not enforce for this caller (flagged UNREGISTERED). Refusals happen before any parsing,
 * planning or subgraph call.
 */
export function judgeDocument(mode: TrustedDocumentsMode, store: TrustedDocumentStore, identity: VerifiedIdentity, sent: SentDocument): TrustVerdict {
  if (mode === 'off') return { kind: 'run', query: sent.query, documentId: undefined, trust: undefined };
  const client = identity.client;
  if (sent.id !== undefined) {
    const registered = store.byId(client, sent.id);
    if (!registered) {
      return {
        kind: 'refuse',
        code: ErrorCode.PERSISTED_QUERY_NOT_FOUND,
        status: 400,
        message: 'No operation with this id is registered for this client',
        documentId: sent.id,
      };
    }
    if (sent.query !== undefined && sent.query !== registered.body) {
      return {
        kind: 'refuse',
        code: ErrorCode.OPERATION_NOT_TRUSTED,
        status: 403,
        message: 'The text sent is not the registered text of this id',
        documentId: sent.id,
      };
    }
    return { kind: 'run', query: registered.body, documentId: registered.id, trust: 'REGISTERED' };
  }
  if (sent.query === undefined) return { kind: 'run', query: undefined, documentId: undefined, trust: undefined };
  const registered = store.byBody(client, sent.query);
  if (registered) return { kind: 'run', query: registered.body, documentId: registered.id, trust: 'REGISTERED' };
  const enforced = mode === 'enforce' || (mode === 'enforce-match-only' && isScreeningClient(identity));
  if (enforced) {
    return {
      kind: 'refuse',
      code: ErrorCode.OPERATION_NOT_TRUSTED,
      status: 403,
      message: 'This client may run only its registered operations: send one by id or as its registered text',
      documentId: undefined,
    };
  }
  return { kind: 'run', query: sent.query, documentId: undefined, trust: 'UNREGISTERED' };
}
