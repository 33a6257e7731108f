import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../../access-policy/src';
import { AuditWriter } from '../../gateway/src/audit/audit-writer';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { createLogger, openSqlClient, type StoreLocation } from '../../platform/src';
import { freshDatabase } from '../support/postgres';
import { STORE_KINDS } from '../support/stack';

const silent = createLogger('test', 'silent');
const NEVER = { delayMs: 3_600_000 };

function entry(n: number, subjects: string[]): AuditEntry {
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
    operationName: 'WideSearch',
    documentHash: 'a'.repeat(64),
    document: '{ searchPersons(lastName: "SMITH") { score } }',
    variables: null,
    outcome: 'ALLOWED',
    deniedPaths: [],
    errorCodes: [],
    fieldsResolved: ['Person.id'],
    subjects,
    sourceAddress: '127.0.0.1',
    userAgent: 'test',
    durationMs: 3,
  };
}

async function location(kind: (typeof STORE_KINDS)[number]): Promise<StoreLocation> {
  return kind === 'postgres' ? { kind, url: await freshDatabase() } : { kind, dataDir: mkdtempSync(join(tmpdir(), 'custodian-subjects-')) };
}

async function indexRows(where: StoreLocation): Promise<number> {
  const raw = await openSqlClient(where, 'audit');
  const row = await raw.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM audit_subject_index');
  await raw.close();
  return Number(row!.n);
}

/** "Who looked at this person": the subject index, written behind the durable log. */
describe.each(STORE_KINDS)('the audit subject index (%s)', (kind) => {
  it('finds a record by subject as soon as it is committed, before and after the index is written', async () => {
    const where = await location(kind);
    const store = await SqlAuditStore.open(where, 2, NEVER);
    const writer = new AuditWriter(store, { logger: silent });
    await writer.start();
    const wide = Array.from({ length: 60 }, (_, i) => `Person:A${10000100 + i}`);
    await Promise.all([writer.append(entry(1, wide)), writer.append(entry(2, ['Person:A10000001'])), writer.append(entry(3, ['Person:A1000000']))]);

    const lookedAt = async (subject: string) => (await store.query({ subject, limit: 10 })).map((r) => r.requestId).sort();
    expect(await indexRows(where)).toBe(0);
    expect(await lookedAt('Person:A10000001')).toEqual(['req-2']);
    expect(await lookedAt('Person:A10000159')).toEqual(['req-1']);
    expect(await lookedAt('Person:A1000000')).toEqual(['req-3']); // a prefix of another id is not that id
    expect(await lookedAt('Person:A99999999')).toEqual([]);

    await store.flushSubjectIndex();
    expect(await indexRows(where)).toBe(62);
    expect(await lookedAt('Person:A10000001')).toEqual(['req-2']);
    expect(await lookedAt('Person:A10000159')).toEqual(['req-1']);
    expect(await lookedAt('Person:A1000000')).toEqual(['req-3']);
    await store.close();
  });

  it('writes the index by itself shortly after the commits, many records at a time', async () => {
    const where = await location(kind);
    const store = await SqlAuditStore.open(where, 2, { delayMs: 50 });
    const writer = new AuditWriter(store, { logger: silent });
    await writer.start();
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.append(entry(i + 1, [`Person:A${10000001 + i}`, 'ProtectiveOrder:PO-000001']))));
    const deadline = Date.now() + 5000;
    while ((await indexRows(where)) < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await indexRows(where)).toBe(40);
    await store.close();
  });

  it('indexes, when the store is opened again, what a process that stopped abruptly left waiting', async () => {
    const where = await location(kind);
    const crashed = await SqlAuditStore.open(where, 2, NEVER);
    const writer = new AuditWriter(crashed, { logger: silent });
    await writer.start();
    await Promise.all(Array.from({ length: 5 }, (_, i) => writer.append(entry(i + 1, [`Person:A${10000001 + i}`]))));
    // The process dies here: its waiting index rows are gone, its records are not.
    expect(await indexRows(where)).toBe(0);

    const next = await SqlAuditStore.open(where, 2, NEVER);
    expect(await indexRows(where)).toBe(5);
    expect((await next.query({ subject: 'Person:A10000003', limit: 10 })).map((r) => r.requestId)).toEqual(['req-3']);
    await next.close();
    await crashed.close(); // its rows again: written once
    expect(await indexRows(where)).toBe(5);
  });
});
