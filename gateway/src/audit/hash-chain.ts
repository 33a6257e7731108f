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

/** The fields a record's hash covers: all but `hash` and `prevHash` (which is hashed apart). */
type HashedFields = Omit<AuditRecord, 'hash' | 'prevHash'>;

/** Every hashed field, once; the `satisfies` clause fails to compile when the record gains or loses one. */
const HASHED_FIELDS = {
  requestId: 0,
  at: 0,
  userSub: 0,
  userName: 0,
  ori: 0,
  client: 0,
  scopes: 0,
  purpose: 0,
  reason: 0,
  operationType: 0,
  operationName: 0,
  documentHash: 0,
  document: 0,
  documentId: 0,
  documentTrust: 0,
  traceId: 0,
  deliveredEvent: 0,
  variables: 0,
  outcome: 0,
  deniedPaths: 0,
  errorCodes: 0,
  fieldsResolved: 0,
  subjects: 0,
  sourceAddress: 0,
  userAgent: 0,
  durationMs: 0,
  chainId: 0,
  seq: 0,
} satisfies Record<keyof HashedFields, 0>;

/** The hashed fields in canonical (sorted) order, each with its JSON key prefix. */
const SORTED_FIELDS = Object.keys(HASHED_FIELDS)
  .sort()
  .map((key) => ({ key: key as keyof HashedFields, prefix: `${JSON.stringify(key)}:` }));

/** A value as canonicalJson writes it; a list of strings (most of a record) without the generic walk. */
function canonicalValue(value: unknown): string {
  if (Array.isArray(value) && allStrings(value)) return JSON.stringify(value);
  return canonicalJson(value);
}

/** Every index holds a string (a hole does not: the generic form writes holes its own way). */
function allStrings(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') return false;
  return true;
}

/** canonicalJson of the hashed fields: the record without prevHash. */
function canonicalRecordGeneric(record: Omit<AuditRecord, 'hash'>): string {
  const { prevHash: _prevHash, ...rest } = record;
  return canonicalJson(rest);
}

/**
 * canonicalJson of a record's hashed fields, written in an order sorted once rather than per
 * record, and read off the record without copying it: the audit hashes every request on the
 * gateway's thread. Byte for byte the same as the generic form (tested); a record with any field
 * but the known ones takes the generic path, so the two always agree.
 */
function canonicalRecord(record: Omit<AuditRecord, 'hash'>): string {
  if (Object.keys(record).length !== SORTED_FIELDS.length + 1) return canonicalRecordGeneric(record);
  let out = '{';
  for (const { key, prefix } of SORTED_FIELDS) {
    if (!Object.hasOwn(record, key)) return canonicalRecordGeneric(record);
    const value = record[key];
    if (value === undefined) continue;
    out += (out.length > 1 ? ',' : '') + prefix + canonicalValue(value);
  }
  return `${out}}`;
}

/**
 * The hash of a record: SHA-256 over its prevHash, a newline, and the canonical JSON of every
 * field but `hash`. Any edit to any field, or a different predecessor, changes it.
 */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(record.prevHash).update('\n').update(canonicalRecord(record)).digest('hex');
}

/** SHA-256 hex of a text (the document hash). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
