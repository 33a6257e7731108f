import { createHash } from 'node:crypto';
import type { AuditRecord } from '../../../access-policy/src';

/** prevHash of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with keys sorted at every level: one byte sequence per value, whatever the insertion order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * The hash of a record: SHA-256 over its prevHash, a newline, and the canonical JSON of every
 * field but `hash`. Any edit to any field, or a different predecessor, changes it.
 */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  const { prevHash, ...rest } = record;
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(rest)).digest('hex');
}

/** SHA-256 hex of a text (the document hash). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
