/**
 * Scopes a caller's token may carry (claim `scope`, space-separated). Each one is named after
 * what it opens; docs/design.md §4 gives which persona holds which.
 */
export const Scope = {
  PERSON_READ: 'person:read',
  PERSON_MATCH: 'person:match',
  CRIMINAL_HISTORY_READ: 'criminal_history:read',
  CRIMINAL_HISTORY_SEALED: 'criminal_history:sealed',
  CRIMINAL_HISTORY_EMPLOYMENT: 'criminal_history:employment',
  ORDERS_READ: 'orders:read',
  ORDERS_WRITE: 'orders:write',
  ORDERS_SERVE: 'orders:serve',
  ORDERS_PROTECTED_ADDRESS: 'orders:protected_address',
  ALERTS_READ: 'alerts:read',
  ALERTS_CAUTION: 'alerts:caution',
  AUDIT_READ: 'audit:read',
} as const;

export type ScopeName = (typeof Scope)[keyof typeof Scope];

/** Splits a `scope` claim into a set; unknown scopes are kept (they grant nothing). */
export function parseScopes(claim: unknown): Set<string> {
  if (Array.isArray(claim)) return new Set(claim.filter((s): s is string => typeof s === 'string'));
  if (typeof claim !== 'string') return new Set();
  return new Set(claim.split(/\s+/).filter(Boolean));
}
