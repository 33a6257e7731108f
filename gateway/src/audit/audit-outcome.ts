import type { GraphQLFormattedError } from 'graphql';
import type { AuditOutcome } from '../../../access-policy/src';

/** Codes that mean the request itself was malformed or broke a limit. */
const INVALID_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** The code of a formatted error ('INTERNAL_SERVER_ERROR' when it has none). */
export function codeOf(error: GraphQLFormattedError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** Dotted paths of the fields denied in a response (`person.criminalHistory.arrests`). */
export function deniedPaths(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return (errors ?? []).filter((e) => codeOf(e) === 'FORBIDDEN' && e.path).map((e) => e.path!.join('.'));
}

/**
 * How an operation ended, from the response sent:
 * - ALLOWED: data and no errors.
 * - PARTIAL: data, with some fields denied or missing.
 * - DENIED: refused whole (no data, FORBIDDEN), or every root field denied.
 *   (Every root field null for other reasons, such as a source down, is ERROR.)
 * - INVALID: no data because the request was malformed, invalid or over a limit.
 * - UNAUTHENTICATED: no valid credentials.
 * - ERROR: no data for any other reason (a source down, an internal failure).
 */
export function classifyOutcome(data: Record<string, unknown> | null | undefined, errors: readonly GraphQLFormattedError[] | undefined): AuditOutcome {
  const codes = (errors ?? []).map(codeOf);
  const rootValues = data ? Object.values(data) : [];
  const anyData = rootValues.some((v) => v !== null && v !== undefined);
  if (anyData) return codes.length === 0 ? 'ALLOWED' : 'PARTIAL';
  if (data && codes.length === 0) return 'ALLOWED';
  if (codes.includes('UNAUTHENTICATED')) return 'UNAUTHENTICATED';
  if (codes.length > 0 && codes.every((c) => c === 'FORBIDDEN')) return 'DENIED';
  if (codes.length > 0 && codes.every((c) => INVALID_CODES.has(c))) return 'INVALID';
  return 'ERROR';
}
