import type { AuditEntry } from '../../../access-policy/src';

/** The error code a record written in its safe form carries, so an auditor sees it was escaped. */
export const ESCAPED_RECORD_CODE = 'AUDIT_RECORD_ESCAPED';

/** Longest document kept in the safe form; its hash, over the whole text as received, is kept. */
const MAX_SAFE_DOCUMENT = 16_000;
/** Longest other text kept in the safe form. */
const MAX_SAFE_TEXT = 1_000;

/**
 * A text as the inside of a JSON string literal, in printable ASCII only (`é` → `\u00e9`, `"` →
 * `\"`): nothing any store or encoding refuses, and unambiguous to read back.
 */
function asciiEscaped(text: string | null, max: number): string | null {
  if (text === null) return null;
  return asciiOnly(JSON.stringify(text.length > max ? text.slice(0, max) : text).slice(1, -1));
}

/** JSON text (already escaped where JSON must be) with everything outside printable ASCII as `\uXXXX`. */
function asciiOnly(json: string): string {
  return json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The form of an entry to write when a store refused it as it was (docs/design.md, "the audit"):
 * every text a caller could shape ASCII-escaped and clipped, the variables kept as one escaped JSON
 * text, and `AUDIT_RECORD_ESCAPED` among its error codes. Who, when, what was disclosed and the
 * outcome are the entry's own: they are ids and codes the gateway made, not the caller's text.
 */
export function safeRecordForm(entry: AuditEntry): AuditEntry {
  return {
    ...entry,
    userSub: asciiEscaped(entry.userSub, MAX_SAFE_TEXT),
    userName: asciiEscaped(entry.userName, MAX_SAFE_TEXT),
    ori: asciiEscaped(entry.ori, MAX_SAFE_TEXT),
    client: asciiEscaped(entry.client, MAX_SAFE_TEXT),
    scopes: entry.scopes.map((s) => asciiEscaped(s, MAX_SAFE_TEXT)!),
    purpose: asciiEscaped(entry.purpose, MAX_SAFE_TEXT),
    reason: asciiEscaped(entry.reason, MAX_SAFE_TEXT),
    operationName: asciiEscaped(entry.operationName, MAX_SAFE_TEXT),
    document: asciiEscaped(entry.document, MAX_SAFE_DOCUMENT),
    variables: entry.variables === null ? null : { escaped: asciiOnly(JSON.stringify(entry.variables).slice(0, MAX_SAFE_DOCUMENT)) },
    deniedPaths: entry.deniedPaths.map((p) => asciiEscaped(p, MAX_SAFE_TEXT)!),
    errorCodes: [...new Set([...entry.errorCodes.map((c) => asciiEscaped(c, MAX_SAFE_TEXT)!), ESCAPED_RECORD_CODE])].sort(),
    sourceAddress: asciiEscaped(entry.sourceAddress, MAX_SAFE_TEXT),
    userAgent: asciiEscaped(entry.userAgent, MAX_SAFE_TEXT),
  };
}
