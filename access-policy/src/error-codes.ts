import { GraphQLError } from 'graphql';

/**
 * The error codes Custodian puts in `extensions.code`. The gateway passes these through to
 * callers and masks everything else, so a new code must be added here to be seen at all.
 */
export enum ErrorCode {
  /** Missing, malformed, forged or expired credentials (HTTP 401). */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The caller may not see this field, or may not run this operation for this purpose. */
  FORBIDDEN = 'FORBIDDEN',
  /** Arguments or input that break the contract; the message says which and why. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** A write against a stale `expectedVersion`: someone else changed the record first. */
  CONFLICT = 'CONFLICT',
  /** Too many requests for this user, client or quota window. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The document does not parse or does not validate. */
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  /** Malformed HTTP request (bad JSON, wrong method, CSRF headers missing). */
  BAD_REQUEST = 'BAD_REQUEST',
  /** A record source did not answer in time or at all; the rest of the answer still comes. */
  SOURCE_UNAVAILABLE = 'SOURCE_UNAVAILABLE',
  /** A request named a registered operation by id, and this client registered none with that id (HTTP 400). */
  PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND',
  /** A free-form operation from a caller who may run only registered ones (HTTP 403). */
  OPERATION_NOT_TRUSTED = 'OPERATION_NOT_TRUSTED',
  /** The audit record could not be committed, so no data was released (fail closed). */
  AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE',
  /** Anything else; its details stay in the operator's log. */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** Codes that reach callers unmasked, with the message they were raised with. */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

function coded(code: ErrorCode, message: string, httpStatus?: number, extra?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...(extra ?? {}), ...(httpStatus ? { http: { status: httpStatus } } : {}) },
  });
}

/** A field or operation the caller may not see. The message must not echo record data. */
export function forbidden(message = 'Not authorised for this field', httpStatus?: number): GraphQLError {
  return coded(ErrorCode.FORBIDDEN, message, httpStatus);
}

/** Credentials missing or rejected: always HTTP 401 and no data. */
export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return coded(ErrorCode.UNAUTHENTICATED, message, 401);
}

/** Input that breaks the contract; say which argument and why, never echo record data. */
export function badUserInput(message: string, extra?: Record<string, unknown>): GraphQLError {
  return coded(ErrorCode.BAD_USER_INPUT, message, undefined, extra);
}

/** A write against a stale version. */
export function conflict(message: string, extra?: Record<string, unknown>): GraphQLError {
  return coded(ErrorCode.CONFLICT, message, undefined, extra);
}

/** The error code of an error-like value, if it carries one. */
export function errorCodeOf(error: unknown): string | undefined {
  const ext = (error as { extensions?: { code?: unknown } } | null)?.extensions;
  return typeof ext?.code === 'string' ? ext.code : undefined;
}
