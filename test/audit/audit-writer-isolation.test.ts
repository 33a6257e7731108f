import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry, AuditRecord } from '../../access-policy/src';
import type { AuditStore } from '../../gateway/src/audit/audit-store';
import { AuditUnavailableError, AuditWriter } from '../../gateway/src/audit/audit-writer';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { createLogger } from '../../platform/src';
import { SwitchableAuditStore } from '../support/audit-stores';

const silent = createLogger('test', 'silent');

function entry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    requestId: `req-${n}`,
    at: new Date().toISOString(),
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
    document: '{ person(id: "A10000001") { id } }',
    variables: { n },
    outcome: 'ALLOWED',
    deniedPaths: [],
    errorCodes: [],
    fieldsResolved: ['Person.id'],
    subjects: ['Person:A10000001'],
    sourceAddress: '127.0.0.1',
    userAgent: 'mdt',
    durationMs: 1,
    ...overrides,
  };
}

/**
 * A store that refuses any batch holding a record with text outside ASCII in a free-text field, as
 * a column in a narrower encoding, a check constraint or a driver's own limit would: one record a
 * store cannot take, among records it can.
 */
class PickyAuditStore extends SwitchableAuditStore {
  refusedBatches = 0;
  override appendBatch(records: readonly AuditRecord[]) {
    if (records.some((r) => /[^\x20-\x7e]/.test(`${r.document}${r.userAgent}${r.reason}${JSON.stringify(r.variables)}`))) {
      this.refusedBatches++;
      return Promise.reject(new Error('invalid byte sequence for encoding (simulated)'));
    }
    return super.appendBatch(records);
  }
}

async function openPicky(): Promise<PickyAuditStore> {
  return new PickyAuditStore(await SqlAuditStore.open({ kind: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'custodian-audit-')) }));
}

describe('a record one store refuses costs no other request anything (issue 17)', () => {
  it('the rest of its group commit goes through, the refused record is written in a safe form, and the chain verifies', async () => {
    const store = await openPicky();
    const writer = new AuditWriter(store, { logger: silent });
    await writer.start();
    // Appended in one tick: one group commit, the hostile record in the middle of it.
    const results = await Promise.allSettled([
      ...Array.from({ length: 5 }, (_, i) => writer.append(entry(i))),
      writer.append(entry(99, { document: '{ __typename } # \u00e9\u2028', userAgent: 'curl\u00ff', variables: { k: 'caf\u00e9' } })),
      ...Array.from({ length: 5 }, (_, i) => writer.append(entry(10 + i))),
    ]);
    expect(store.refusedBatches).toBeGreaterThan(0);
    expect(results.map((r) => r.status)).toEqual(Array(11).fill('fulfilled'));
    const records = await store.readChain(writer.chainId, 0, 100);
    expect(records.map((r) => r.requestId)).toEqual([0, 1, 2, 3, 4, 99, 10, 11, 12, 13, 14].map((n) => `req-${n}`));
    const safe = records.find((r) => r.requestId === 'req-99')!;
    // The safe form still says what was sent, in escapes a store cannot refuse, and says it is one.
    expect(safe.errorCodes).toContain('AUDIT_RECORD_ESCAPED');
    expect(safe.document).toBe('{ __typename } # \\u00e9\\u2028');
    expect(safe.userAgent).toBe('curl\\u00ff');
    expect(safe.variables).toEqual({ escaped: '{"k":"caf\\u00e9"}' });
    expect(await verifyAllChains(store)).toMatchObject({ ok: true });
    await store.close();
  });

  it('a store that refuses everything is down: every caller of the commit is told, and nothing is half-linked', async () => {
    const store = await openPicky();
    const writer = new AuditWriter(store, { logger: silent });
    await writer.start();
    await writer.append(entry(1));
    store.refuseWrites = true;
    const down = await Promise.allSettled([writer.append(entry(2)), writer.append(entry(3))]);
    expect(down.map((r) => r.status === 'rejected' && r.reason instanceof AuditUnavailableError)).toEqual([true, true]);
    store.refuseWrites = false;
    await writer.append(entry(4));
    const records = await store.readChain(writer.chainId, 0, 100);
    expect(records.map((r) => [r.seq, r.requestId])).toEqual([
      [1, 'req-1'],
      [2, 'req-4'],
    ]);
    expect(await verifyAllChains(store as AuditStore)).toMatchObject({ ok: true });
    await store.close();
  });
});
