import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry, AuditRecord } from '../../access-policy/src';
import { AuditWriter } from '../../gateway/src/audit/audit-writer';
import { createHash } from 'node:crypto';
import { canonicalJson, recordHash } from '../../gateway/src/audit/hash-chain';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { createLogger, projectRoot } from '../../platform/src';

const silent = createLogger('test', 'silent');

function entry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
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
    document: '{ person(id: $id) { id } }',
    variables: { id: `A${10000000 + n}` },
    outcome: 'ALLOWED',
    deniedPaths: [],
    errorCodes: [],
    fieldsResolved: ['Person.id'],
    subjects: [`Person:A${10000000 + n}`],
    sourceAddress: '127.0.0.1',
    userAgent: 'test',
    durationMs: 3,
    ...overrides,
  };
}

/** A fresh audit store with one chain of `n` records; returns its folder and a raw connection for tampering. */
async function chainOf(n: number, tamperable = true) {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-audit-'));
  const store = await SqlAuditStore.open({ kind: 'sqlite', dataDir });
  const writer = new AuditWriter(store, { logger: silent });
  await writer.start();
  await Promise.all(Array.from({ length: n }, (_, i) => writer.append(entry(i + 1))));
  await writer.flush();
  // The tamperer is a database administrator: they can drop the append-only guards.
  const raw = new Database(join(dataDir, 'audit.sqlite'));
  if (tamperable) raw.exec('DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete;');
  return { dataDir, store, raw, chainId: writer.chainId, writer };
}

describe('the audit hash chain', () => {
  it('verifies an untouched chain written by concurrent requests (group commit)', async () => {
    const { store, raw } = await chainOf(50);
    const result = await verifyAllChains(store);
    expect(result).toEqual({ ok: true, chains: [expect.objectContaining({ ok: true, records: 50 })] });
    raw.close();
    await store.close();
  });

  it('refuses UPDATE and DELETE from anyone but the retention purge (append-only)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custodian-audit-'));
    const store = await SqlAuditStore.open({ kind: 'sqlite', dataDir });
    const writer = new AuditWriter(store, { logger: silent });
    await writer.start();
    await writer.append(entry(1));
    const raw = new Database(join(dataDir, 'audit.sqlite'));
    expect(() => raw.prepare("UPDATE audit_records SET reason = 'edited'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit_records').run()).toThrow(/retention purge/);
    raw.close();
    await store.close();
  });

  it('detects an edited record and names it', async () => {
    const { store, raw } = await chainOf(10);
    raw.prepare("UPDATE audit_records SET reason = 'INC-LEGIT' WHERE seq = 4").run();
    const result = await verifyAllChains(store);
    expect(result.ok).toBe(false);
    expect(result.chains[0].bad).toEqual([{ seq: 4, reason: expect.stringContaining('edited') }]);
    raw.close();
    await store.close();
  });

  it('detects deleted records and names each', async () => {
    const { store, raw } = await chainOf(10);
    raw.prepare('DELETE FROM audit_records WHERE seq IN (6, 7)').run();
    const result = await verifyAllChains(store);
    expect(result.chains[0].bad).toEqual([
      { seq: 6, reason: expect.stringContaining('missing') },
      { seq: 7, reason: expect.stringContaining('missing') },
    ]);
    raw.close();
    await store.close();
  });

  it('detects reordered records', async () => {
    const { store, raw } = await chainOf(10);
    raw.exec(
      'UPDATE audit_records SET seq = -1 WHERE seq = 3; UPDATE audit_records SET seq = 3 WHERE seq = 5; UPDATE audit_records SET seq = 5 WHERE seq = -1;',
    );
    const result = await verifyAllChains(store);
    // Records 3 and 5 swapped: every link from 3 to 6 is broken, and the two moved records no
    // longer match their hashes (the sequence is hashed too). Each is named.
    const link = (seq: number) => ({ seq, reason: expect.stringContaining('does not link') });
    const moved = (seq: number) => ({ seq, reason: expect.stringContaining('edited') });
    expect(result.chains[0].bad).toEqual([link(3), moved(3), link(4), link(5), moved(5), link(6)]);
    raw.close();
    await store.close();
  });

  it('detects a record whose hash was recomputed after an edit (the next link breaks)', async () => {
    const { store, raw } = await chainOf(10);
    const { hash: _h, ...rec } = (await store.readChain((await store.chainIds())[0], 2, 1))[0];
    const { recordHash } = await import('../../gateway/src/audit/hash-chain');
    const edited = { ...rec, reason: 'INC-COVER-STORY' };
    raw.prepare('UPDATE audit_records SET reason = ?, hash = ? WHERE seq = 3').run(edited.reason, recordHash(edited));
    const result = await verifyAllChains(store);
    expect(result.chains[0].bad).toEqual([{ seq: 4, reason: expect.stringContaining('does not link to record 3') }]);
    raw.close();
    await store.close();
  });

  it('checks every chain to its end: a record spoiled on purpose does not hide a real edit after it', async () => {
    const { store, raw } = await chainOf(12);
    raw.prepare("UPDATE audit_records SET document = 'spoiled' WHERE seq = 2").run();
    raw.prepare("UPDATE audit_records SET reason = 'INC-COVER-STORY' WHERE seq = 9").run();
    raw.prepare('DELETE FROM audit_records WHERE seq = 11').run();
    const result = await verifyAllChains(store);
    expect(result.ok).toBe(false);
    expect(result.chains[0].bad.map((b) => b.seq)).toEqual([2, 9, 11]);
    raw.close();
    await store.close();
  });

  it('still verifies after a retention purge, from the checkpoint it leaves', async () => {
    const { store, raw } = await chainOf(10, false);
    raw.close();
    const removed = await store.purgeBefore(new Date(Date.UTC(2026, 5, 1, 12, 0, 5)).toISOString());
    expect(removed).toBe(4);
    const result = await verifyAllChains(store);
    expect(result).toMatchObject({ ok: true, chains: [{ records: 6 }] });
    await store.close();
  });

  it('`npm run -s audit -- verify` exits 0 on an intact chain and non-zero naming every bad record', async () => {
    const { dataDir, store, raw, chainId } = await chainOf(5);
    // --full: the first run below leaves a verified checkpoint at the chain's end, and the edits are before it.
    const cli = () =>
      spawnSync(process.execPath, [join(projectRoot(), 'dist/scripts/audit-cli.js'), 'verify', '--full'], {
        env: { ...process.env, DATA_DIR: dataDir },
        encoding: 'utf8',
      });
    const ok = cli();
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('audit chains intact: 1 chains, 5 records');
    raw.prepare("UPDATE audit_records SET outcome = 'DENIED' WHERE seq = 2").run();
    const bad = cli();
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`BAD  ${chainId}: record 2: content does not match its hash (edited)`);
    raw.prepare("UPDATE audit_records SET outcome = 'DENIED' WHERE seq = 4").run();
    const worse = cli();
    expect(worse.status).toBe(1);
    expect(worse.stdout.split('\n').filter((line) => line.startsWith('BAD'))).toEqual([
      `BAD  ${chainId}: record 2: content does not match its hash (edited)`,
      `BAD  ${chainId}: record 4: content does not match its hash (edited)`,
    ]);
    raw.close();
    await store.close();
  });
});

describe('incremental verify: each run resumes from where the last found the chain intact', () => {
  const cli = (dataDir: string, ...args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot(), 'dist/scripts/audit-cli.js'), 'verify', ...args], {
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: 'utf8',
    });

  it('reads only the records written since the last run, and names a bad one among them', async () => {
    const { dataDir, store, raw, chainId, writer } = await chainOf(8);
    const first = cli(dataDir);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('audit chains intact: 1 chains, 8 records');
    await Promise.all([9, 10, 11].map((n) => writer.append(entry(n))));
    await writer.flush();
    const second = cli(dataDir);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`ok   ${chainId}: 3 records after verified record 8`);
    expect(second.stdout).toContain('audit chains intact: 1 chains, 3 records');
    await Promise.all([12, 13].map((n) => writer.append(entry(n))));
    await writer.flush();
    raw.prepare("UPDATE audit_records SET reason = 'INC-COVER-STORY' WHERE seq = 13").run();
    const third = cli(dataDir);
    expect(third.status).toBe(1);
    expect(third.stdout.split('\n').filter((line) => line.startsWith('BAD'))).toEqual([`BAD  ${chainId}: record 13: content does not match its hash (edited)`]);
    // No checkpoint past a bad record: the next run reads from 11 again and names it again.
    expect(cli(dataDir).stdout).toContain(`BAD  ${chainId}: record 13: content does not match its hash (edited)`);
    raw.close();
    await store.close();
  });

  it('misses an edit before its checkpoint (the trade-off), which --full finds', async () => {
    const { dataDir, store, raw, chainId } = await chainOf(6);
    expect(cli(dataDir).status).toBe(0);
    raw.prepare("UPDATE audit_records SET reason = 'INC-COVER-STORY' WHERE seq = 3").run();
    const incremental = cli(dataDir);
    expect(incremental.status).toBe(0);
    expect(incremental.stdout).toContain(`ok   ${chainId}: 0 records after verified record 6`);
    const full = cli(dataDir, '--full');
    expect(full.status).toBe(1);
    expect(full.stdout).toContain(`BAD  ${chainId}: record 3: content does not match its hash (edited)`);
    raw.close();
    await store.close();
  });

  it("names a record appended after the checkpoint that does not link to it; one written by hand past the chain's head, --full names", async () => {
    const { dataDir, store, raw, chainId } = await chainOf(4);
    expect(cli(dataDir).status).toBe(0);
    const [last] = await store.readChain(chainId, 3, 1);
    const { recordHash } = await import('../../gateway/src/audit/hash-chain');
    const forge = (seq: number) => {
      const { hash: _h, ...unhashed } = { ...last, seq, requestId: `req-forged-${seq}`, prevHash: 'f'.repeat(64) };
      return { ...unhashed, hash: recordHash(unhashed) };
    };
    // Through the store (a compromised gateway process): the daily run reads it.
    await store.appendBatch([forge(5)]);
    const daily = cli(dataDir);
    expect(daily.status).toBe(1);
    expect(daily.stdout).toContain(`BAD  ${chainId}: record 5: does not link to record 4`);
    // By hand, around the store (a database administrator): past the chain's head, which only --full reads past.
    const insert = raw.prepare(
      `INSERT INTO audit_records (chain_id, seq, request_id, at, scopes, outcome, denied_paths, error_codes, fields_resolved, subjects, duration_ms, prev_hash, hash,
         user_sub, user_name, ori, client, purpose, reason, operation_type, operation_name, document_hash, document, variables, source_address, user_agent)
       SELECT chain_id, ?, ?, at, scopes, outcome, denied_paths, error_codes, fields_resolved, subjects, duration_ms, ?, ?,
         user_sub, user_name, ori, client, purpose, reason, operation_type, operation_name, document_hash, document, variables, source_address, user_agent
       FROM audit_records WHERE chain_id = ? AND seq = 4`,
    );
    const byHand = forge(6);
    insert.run(6, byHand.requestId, byHand.prevHash, byHand.hash, chainId);
    const full = cli(dataDir, '--full');
    expect(full.status).toBe(1);
    expect(full.stdout).toContain(`BAD  ${chainId}: record 6: does not link to record 5`);
    raw.close();
    await store.close();
  });

  it('keeps its verified checkpoints append-only', async () => {
    const { dataDir, store, raw } = await chainOf(3);
    expect(cli(dataDir).status).toBe(0);
    expect(raw.prepare('SELECT seq FROM audit_verified').all()).toEqual([{ seq: 3 }]);
    expect(() => raw.prepare('UPDATE audit_verified SET seq = 100').run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit_verified').run()).toThrow(/append-only/);
    raw.close();
    await store.close();
  });
});

describe('the record hash', () => {
  const record: Omit<AuditRecord, 'hash'> = {
    requestId: 'req-1',
    at: '2026-06-01T12:00:01.000Z',
    userSub: 'u-officer-1001',
    userName: 'Officer Dana Reyes',
    ori: 'CA0194200',
    client: 'patrol-mdt',
    scopes: ['person:read', 'alerts:read'],
    purpose: 'C',
    reason: 'INC-1 "quoted" é',
    operationType: 'query',
    operationName: 'Lookup',
    documentHash: 'a'.repeat(64),
    document: 'query Lookup($id: ID!) {\n  person(id: $id) { id }\n}',
    variables: { id: 'A10000001', filter: { z: 1, a: [true, null, 2.5] } },
    outcome: 'ALLOWED',
    deniedPaths: [],
    errorCodes: [],
    fieldsResolved: ['Person.id', 'Query.person'],
    subjects: ['Person:A10000001'],
    sourceAddress: '127.0.0.1',
    userAgent: null,
    durationMs: 3,
    chainId: 'host-1-abcdef12',
    seq: 7,
    prevHash: 'b'.repeat(64),
  };

  it('is the hash earlier versions wrote, so chains already on disk still verify', () => {
    // SHA-256 of prevHash, "\n" and the canonical JSON (keys sorted at every level), as first released.
    expect(recordHash(record)).toBe('8bad759c13abc20fc1eb3e9c0dac696f5c2cbf618e2a607e2ffbb5cb5b55432f');
  });

  /** The definition, from the canonical JSON of everything but prevHash: what the fast form must match. */
  const byDefinition = ({ prevHash, ...rest }: Omit<AuditRecord, 'hash'>) =>
    createHash('sha256').update(prevHash).update('\n').update(canonicalJson(rest)).digest('hex');

  it('agrees with the generic canonical form on every shape of record', () => {
    const shapes: Omit<AuditRecord, 'hash'>[] = [
      record,
      { ...record, variables: null, document: null, documentHash: null, userSub: null, scopes: [] },
      { ...record, variables: { b: [{ y: 2, x: 1 }], a: '\u2028 line', c: { e: null, d: false } } },
      { ...record, deniedPaths: ['person.criminalHistory'], errorCodes: ['FORBIDDEN', 'PURPOSE_REQUIRED'], outcome: 'PARTIAL' },
      // Lists are typed as strings; a value of another kind must still hash as the generic form does.
      { ...record, subjects: [1, null, { b: 1, a: 2 }] as unknown as string[] },
      { ...record, userAgent: undefined as unknown as null },
      // A list with a hole (never written by the gateway) still hashes as the generic form writes it.
      // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
      { ...record, errorCodes: [, 'FORBIDDEN'] as unknown as string[] },
      // A field the hash does not know of (a future column, a stray property): the generic path.
      { ...record, extra: { z: 1 } } as Omit<AuditRecord, 'hash'>,
      // A field inherited rather than the record's own, with one stray field to keep the count.
      (() => {
        const { reason, ...rest } = record;
        return Object.assign(Object.create({ reason }), rest, { stray: 1 }) as Omit<AuditRecord, 'hash'>;
      })(),
      Object.fromEntries(Object.entries(record).reverse()) as Omit<AuditRecord, 'hash'>,
    ];
    for (const shape of shapes) expect(recordHash(shape)).toBe(byDefinition(shape));
    // Every field changes the hash.
    for (const key of Object.keys(record) as (keyof typeof record)[]) {
      const edited = {
        ...record,
        [key]: key === 'seq' || key === 'durationMs' ? 8 : key === 'variables' ? { id: 'A1' } : Array.isArray(record[key]) ? ['x'] : 'edited',
      };
      expect(recordHash(edited)).not.toBe(recordHash(record));
    }
  });
});
