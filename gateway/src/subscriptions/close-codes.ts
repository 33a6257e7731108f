/**
 * The WebSocket close codes the gateway's subscription endpoint ends a connection with, and their
 * reasons (docs/design.md §8, decision 28). graphql-ws's own (4400 bad message, 4408 no
 * connection_init in time, 4409 duplicate id, 4500 internal error) and ws's 1009 (a message above
 * the size cap) keep their meaning; these are the gateway's. Reasons never name records.
 */
export const CloseCodes = {
  /** Missing or rejected credentials at connection_init, or the token expired while subscribed. */
  UNAUTHENTICATED: { code: 4401, reason: 'Unauthorized' },
  TOKEN_EXPIRED: { code: 4401, reason: 'Token expired' },
  /** The subscriber no longer holds the rights its subscriptions need. */
  FORBIDDEN: { code: 4403, reason: 'Forbidden' },
  /** Locked out after failed authentication, or over a rate limit. */
  TOO_MANY_REQUESTS: { code: 4429, reason: 'Too many requests' },
  /** Connected, authenticated, and no subscription for SUBSCRIPTION_IDLE_TIMEOUT_MS. */
  IDLE: { code: 4410, reason: 'Idle: no subscription' },
  /** Events queued beyond SUBSCRIPTION_MAX_QUEUED, or the socket's buffer beyond SUBSCRIPTION_MAX_BUFFERED_BYTES. */
  SLOW_CONSUMER: { code: 4413, reason: 'Slow consumer: events not read in time' },
  /** A delivery could not be recorded in the audit, so it was not delivered (fail closed). */
  AUDIT_UNAVAILABLE: { code: 4503, reason: 'Audit unavailable' },
  /** The gateway is shutting down. */
  GOING_AWAY: { code: 1001, reason: 'Going away' },
} as const;

/** One of the gateway's close codes with its reason. */
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];
