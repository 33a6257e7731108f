import { forbidden } from './error-codes';

/**
 * Purpose codes (header `X-Purpose-Code`), the national criminal-history index's own.
 * `R` is reserved to the FBI and always refused (docs/design.md §4).
 */
export const PURPOSES = {
  A: 'administrative',
  C: 'criminal justice',
  D: 'domestic-violence and stalking court proceedings',
  F: 'firearms',
  H: 'public housing',
  I: 'licensing and employment authorised by statute',
  J: 'criminal-justice employment',
  S: 'national security',
  V: 'visas',
  X: 'exigent circumstances',
} as const;

export type PurposeCode = keyof typeof PURPOSES;

/** Purposes that also need `X-Reason` (a case, incident, CAD or docket number). */
export const PURPOSES_NEEDING_REASON: ReadonlySet<PurposeCode> = new Set<PurposeCode>(['C', 'D', 'F']);

/** `X-Reason` is free text of at most this many characters. */
export const MAX_REASON_LENGTH = 64;

export function isPurposeCode(value: unknown): value is PurposeCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PURPOSES, value);
}

/** Splits a `purposes` claim (array or space-separated string) into known purpose codes. */
export function parsePurposes(claim: unknown): Set<PurposeCode> {
  const raw = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/\s+/) : [];
  return new Set(raw.filter(isPurposeCode));
}

/**
 * Checks the purpose and reason a caller declared for one operation against the purposes their
 * token grants. Returns the accepted pair, or throws FORBIDDEN saying what is wrong (never which
 * records exist). Reasons are trimmed; control characters are refused so they cannot forge
 * lines in logs.
 */
export function checkPurpose(
  granted: ReadonlySet<PurposeCode>,
  purposeHeader: string | undefined,
  reasonHeader: string | undefined,
): { purpose: PurposeCode; reason: string | null } {
  const purpose = purposeHeader?.trim().toUpperCase();
  if (!purpose) throw forbidden('A purpose is required: set the X-Purpose-Code header', 403);
  if (purpose === 'R') throw forbidden('Purpose code R is reserved to the FBI', 403);
  if (!isPurposeCode(purpose)) throw forbidden(`Unknown purpose code "${purpose.slice(0, 2)}"`, 403);
  if (!granted.has(purpose)) throw forbidden(`Your credentials do not allow purpose ${purpose}`, 403);
  const reason = reasonHeader?.trim() || null;
  if (reason !== null) {
    if (reason.length > MAX_REASON_LENGTH) throw forbidden(`X-Reason is longer than ${MAX_REASON_LENGTH} characters`, 403);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(reason)) throw forbidden('X-Reason contains control characters', 403);
  }
  if (PURPOSES_NEEDING_REASON.has(purpose) && reason === null) {
    throw forbidden(`Purpose ${purpose} needs a reason: set X-Reason to the case, incident or docket number`, 403);
  }
  return { purpose, reason };
}
