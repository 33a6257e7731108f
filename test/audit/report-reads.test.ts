import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../../access-policy/src';
import { TooManyAuditRecordsError } from '../../gateway/src/audit/audit-store';
import { AuditWriter } from '../../gateway/src/audit/audit-writer';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { createLogger } from '../../platform/src';

function entry(n: number): AuditEntry {
  return {
    requestId: `req-${n}`,
    at: new Date(Date.UTC(2026, 5, 1, 12, 0, n)).toISOString(),
    userSub: 'u-officer-1001',
    userName: 'Officer Dana Reyes',
    ori: 'CA0194200',
    client: 'patrol-mdt',
    scopes: ['person:read'],
    purpose: 'C',
    reason: 'INC-1',
    operationType: 'query',
    operationName: 'Lookup',
    documentHash: 'a'.repeat(64),
    document: `{ person(id: "A${10000000 + n}") { id } } # ${'x'.repeat(50_000)}`,
    variables: { big: 'y'.repeat(50_000) },
    outcome: 'ALLOWED',
    deniedPaths: [],
    errorCodes: [],
    fieldsResolved: ['Person.id'],
    subjects: [`Person:A${10000000 + n}`],
    sourceAddress: '127.0.0.1',
    userAgent: 'test',
    durationMs: 3,
  };
}

/**
 * The misuse signals read a range of records inside the gateway (the auditor's console): a
 * caller who swells the log with 100 KB documents must not be able to make that read hold them.
 */
describe('reading a range of records for a report', () => {
  let store: SqlAuditStore;
  beforeAll(async () => {
    store = await SqlAuditStore.open({ kind: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'custodian-audit-')) });
    const writer = new AuditWriter(store, { logger: createLogger('test', 'silent') });
    await writer.start();
    await Promise.all(Array.from({ length: 5 }, (_, i) => writer.append(entry(i + 1))));
  });
  afterAll(() => store.close());

  const range = ['2026-06-01T12:00:00.000Z', '2026-06-01T13:00:00.000Z'] as const;

  it("leaves each record's document and variables in the store, and keeps what the detectors read", async () => {
    const records = await store.between(...range, { withoutContent: true });
    expect(records).toHaveLength(5);
    expect(records.every((r) => r.document === null && r.variables === null)).toBe(true);
    expect(records.map((r) => r.subjects[0])).toEqual([1, 2, 3, 4, 5].map((n) => `Person:A${10000000 + n}`));
    expect((await store.between(...range))[0].document).toContain('person(id:');
  });

  it('refuses a range holding more records than the bound, rather than reading them all', async () => {
    await expect(store.between(...range, { withoutContent: true, maxRecords: 4 })).rejects.toBeInstanceOf(TooManyAuditRecordsError);
    expect(await store.between(...range, { maxRecords: 5 })).toHaveLength(5);
  });
});
