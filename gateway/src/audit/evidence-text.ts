/**
 * Code units that no audit store keeps as given: NUL (PostgreSQL's text refuses it, failing the
 * whole group commit) and lone UTF-16 surrogates (UTF-8 cannot encode one: both stores would keep
 * U+FFFD instead, and the record would no longer match the hash computed over what was sent).
 */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/**
 * A caller's text as the audit keeps it: unchanged when a store can hold it as it is; otherwise
 * each unstorable code unit is written as `\u{HEX}` (NUL as `\u{0}`, a lone surrogate as
 * `\u{D800}`), so the record reads as evidence of what was sent and its hash covers exactly what
 * the store holds. (A caller who sends the six characters `\u{0}` reads the same; the document
 * hash, taken over the text as received, still tells the two apart. docs/design.md, "the audit".)
 */
export function evidenceText(text: string): string {
  if (!UNSTORABLE.test(text)) return text;
  return text.replace(UNSTORABLE_ALL, (unit) => `\\u{${unit.charCodeAt(0).toString(16).toUpperCase()}}`);
}

/** `evidenceText` of a nullable field. */
export function evidenceTextOrNull(text: string | null): string | null {
  return text === null ? null : evidenceText(text);
}

/**
 * A caller's structured value (variables) with every string and key made storable. Stored as JSON
 * text, whose escapes could carry both; made storable anyway, so that a store keeping JSON natively
 * (PostgreSQL's jsonb refuses `\u0000`) or a reader that decodes it never meets them.
 */
export function evidenceValue(value: unknown): unknown {
  if (typeof value === 'string') return evidenceText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(evidenceValue);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    Object.defineProperty(out, evidenceText(key), { value: evidenceValue(item), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
