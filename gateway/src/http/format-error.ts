import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, PUBLIC_ERROR_CODES } from '../../../access-policy/src';

/** Apollo Server's own codes that are safe to pass on (their messages describe the request). */
const APOLLO_PUBLIC_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Masks every error a caller receives (envelop's masked errors, in Apollo's `formatError`): known
 * codes keep their message; anything else becomes a generic message. Only `code` (and the
 * subgraph's name for a source failure) survive in extensions: never a stack trace, an internal
 * URL, or record data.
 */
export function formatError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const serviceName = typeof formatted.extensions?.serviceName === 'string' ? formatted.extensions.serviceName : undefined;
  const base = { locations: formatted.locations, path: formatted.path };
  if (typeof code === 'string' && (PUBLIC_ERROR_CODES.has(code) || APOLLO_PUBLIC_CODES.has(code)) && code !== (ErrorCode.INTERNAL_SERVER_ERROR as string)) {
    return { ...base, message: formatted.message, extensions: { code, ...(serviceName ? { serviceName } : {}) } };
  }
  if (serviceName) {
    // A subgraph down, slow, or answering garbage: its error text names internal addresses.
    return {
      ...base,
      message: `The ${serviceName} source did not answer; its part of the result is missing`,
      extensions: { code: ErrorCode.SOURCE_UNAVAILABLE, serviceName },
    };
  }
  return { ...base, message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
