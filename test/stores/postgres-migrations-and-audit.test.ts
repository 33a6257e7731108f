import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditWriter } from '../../gateway/src/audit/audit-writer';
import { AUDIT_MIGRATIONS } from '../../gateway/src/audit/audit-migrations';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { createLogger, migrate, openSqlClient, projectRoot } from '../../platform/src';
import { describeWithPostgres, dropTestDatabases, freshDatabase } from '../support/postgres';

describeWithPostgres('PostgreSQL: migrations and the audit store', () => {
  afterAll(() => dropTestDatabases());

  it('`npm run db:migrate` creates every store in its own schema, and running it again changes nothing', async () => {
    const url = await freshDatabase();
    const run = () =>
      spawnSync(process.execPath, [join(projectRoot(), 'dist/seed/src/migrate-cli.js')], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
    expect(run().status).toBe(0);
    expect(run().status).toBe(0);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      for (const schema of ['criminal_history', 'orders', 'alerts', 'audit']) {
        const { rows } = await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
        expect({ schema, versions: rows.map((r) => r.version) }).toEqual({
          schema,
          versions: { audit: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], criminal_history: [1, 2, 3, 4, 5, 6, 7], orders: [1, 2], alerts: [1, 2] }[schema] ?? [1],
        });
      }
      // And criminal-history has learnt whom the orders protect (none yet): its addresses are not held closed.
      const { rows } = await client.query("SELECT meta_key FROM criminal_history.store_metadata WHERE meta_key = 'address-protections'");
      expect(rows).toHaveLength(1);
    } finally {
      await client.end();
    }
  });

  it('migrates safely when several services open the same store at once', async () => {
    const url = await freshDatabase();
    const opened = await Promise.all([1, 2, 3, 4].map(() => SqlAuditStore.open({ kind: 'postgres', url }, 1)));
    await Promise.all(opened.map((s) => s.close()));
  });

  const base = {
    userSub: 'u',
    userName: 'U',
    ori: 'CA0194200',
    client: null,
    scopes: [],
    purpose: 'C',
    reason: 'R',
    operationType: 'query',
    operationName: null,
    documentHash: null,
    document: null,
    variables: { a: [1, { b: 'c' }] },
    outcome: 'ALLOWED' as const,
    deniedPaths: [],
    errorCodes: [],
    fieldsResolved: [],
    sourceAddress: null,
    userAgent: null,
    durationMs: 1,
  };
  /** The i-th record of a chain: one every five days from 1 January 2020 (so across months). */
  const dated = (i: number, at = new Date(Date.UTC(2020, 0, 1 + 5 * i)).toISOString()) => ({
    ...base,
    requestId: `r${i}`,
    at,
    subjects: [`Person:A1000000${i % 7}`],
  });

  /** Appends in order, one by one, so each record's seq is its place in `entries`. */
  async function writeInOrder(writer: AuditWriter, entries: ReturnType<typeof dated>[]) {
    for (const e of entries) await writer.append(e);
  }

  async function partitionsOf(url: string, table: string): Promise<string[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ('audit.' || $1)::regclass ORDER BY 1`,
        [table],
      );
      return rows.map((r) => r.relname as string);
    } finally {
      await client.end();
    }
  }

  it('keeps a verifiable chain through group commits and a retention purge that drops whole months', async () => {
    const url = await freshDatabase();
    const store = await SqlAuditStore.open({ kind: 'postgres', url }, 2);
    const writer = new AuditWriter(store, { logger: createLogger('test', 'silent') });
    await writer.start();
    // Seq 13 (2 March) is sequenced before seq 14, dated 28 February: a request begun before midnight, finished after.
    const entries = Array.from({ length: 30 }, (_, i) => dated(i));
    entries[12] = dated(12, '2020-03-02T00:00:01.000Z');
    entries[13] = dated(13, '2020-02-28T23:59:59.000Z');
    await writeInOrder(writer, entries);
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.append(dated(30 + i))));
    expect(await verifyAllChains(store)).toMatchObject({ ok: true, chains: [{ records: 40 }] });
    expect(await store.query({ subject: 'Person:A10000003', limit: 100 })).toHaveLength(6);
    expect(await partitionsOf(url, 'audit_records')).toEqual(
      expect.arrayContaining(['audit_records_p202001', 'audit_records_p202002', 'audit_records_p202003']),
    );
    // Before 11 March: January and February go whole (seq 1–12 and 14) and seq 13 with them;
    // 1 and 6 March stay until March is past.
    expect(await store.purgeBefore('2020-03-11T00:00:00.000Z')).toBe(14);
    expect(await partitionsOf(url, 'audit_records')).not.toEqual(expect.arrayContaining(['audit_records_p202001']));
    expect(await partitionsOf(url, 'audit_records')).not.toContain('audit_records_p202002');
    expect(await partitionsOf(url, 'audit_subject_index')).not.toContain('audit_subject_index_p202002');
    expect((await store.readChain(writer.chainId, 0, 5)).map((r) => r.seq)).toEqual([15, 16, 17, 18, 19]);
    expect(await verifyAllChains(store)).toMatchObject({ ok: true, chains: [{ records: 26 }] });
    // Twice is once: nothing more ends before the cut.
    expect(await store.purgeBefore('2020-03-11T00:00:00.000Z')).toBe(0);
    await store.close();
  });

  it('refuses UPDATE and DELETE on every partition, and verify names a duplicated sequence number the key lets in', async () => {
    const url = await freshDatabase();
    const store = await SqlAuditStore.open({ kind: 'postgres', url }, 2);
    const writer = new AuditWriter(store, { logger: createLogger('test', 'silent') });
    await writer.start();
    await writeInOrder(
      writer,
      Array.from({ length: 20 }, (_, i) => dated(i)),
    );
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      for (const partition of ['audit_records_p202001', 'audit_records_p202003']) {
        await expect(client.query(`UPDATE audit.${partition} SET reason = 'edited'`)).rejects.toThrow(/append-only/);
        await expect(client.query(`DELETE FROM audit.${partition}`)).rejects.toThrow(/retention purge/);
      }
      // A database administrator drops the guard and copies record 5 under a later date.
      await client.query('ALTER TABLE audit.audit_records DISABLE TRIGGER audit_records_guard');
      await client.query(
        `INSERT INTO audit.audit_records (chain_id, seq, request_id, at, user_sub, user_name, ori, client, scopes, purpose, reason, operation_type, operation_name,
           document_hash, document, variables, outcome, denied_paths, error_codes, fields_resolved, subjects, source_address, user_agent, duration_ms, prev_hash, hash)
         SELECT chain_id, seq, request_id, '2020-03-30T00:00:00.000Z', user_sub, user_name, ori, client, scopes, purpose, reason, operation_type, operation_name,
           document_hash, document, variables, outcome, denied_paths, error_codes, fields_resolved, subjects, source_address, user_agent, duration_ms, prev_hash, hash
         FROM audit.audit_records WHERE seq = 5`,
      );
    } finally {
      await client.end();
    }
    const result = await verifyAllChains(store, { full: true });
    expect(result.ok).toBe(false);
    // The copy is named twice: a second seq 5, and its date is not what was hashed.
    expect(result.chains[0].bad).toEqual([
      { seq: 5, reason: 'duplicate (a second record with this sequence number)' },
      { seq: 5, reason: 'content does not match its hash (edited)' },
    ]);
    await store.close();
  });

  it('migrates an unpartitioned store: every record kept, every chain verifying, found by subject and user', async () => {
    const url = await freshDatabase();
    // The store with records in one table: every migration but the partitioning (the chain heads
    // of version 8 too, which the store's writes need; version 7 then runs after them).
    const old = await openSqlClient({ kind: 'postgres', url }, 'audit', { poolSize: 2 });
    await migrate(
      old,
      AUDIT_MIGRATIONS.filter((m) => m.version !== 7),
    );
    const before = new SqlAuditStore(old);
    const writers = [new AuditWriter(before, { logger: createLogger('test', 'silent') }), new AuditWriter(before, { logger: createLogger('test', 'silent') })];
    for (const w of writers) {
      await w.start();
      await writeInOrder(
        w,
        Array.from({ length: 25 }, (_, i) => dated(i)),
      );
    }
    await before.flushSubjectIndex();
    expect(await verifyAllChains(before, { checkpoints: before })).toMatchObject({ ok: true });
    await old.close();

    const store = await SqlAuditStore.open({ kind: 'postgres', url }, 2);
    expect(await partitionsOf(url, 'audit_records')).toEqual(expect.arrayContaining(['audit_records_p202001', 'audit_records_p202004']));
    const full = await verifyAllChains(store, { full: true });
    expect(full).toMatchObject({ ok: true });
    expect(full.chains.map((c) => c.records)).toEqual([25, 25]);
    expect(await store.query({ subject: 'Person:A10000003', limit: 100 })).toHaveLength(8);
    expect(await store.query({ user: 'u', from: '2020-02-01T00:00:00.000Z', to: '2020-03-01T00:00:00.000Z', limit: 100 })).toHaveLength(10);
    // The checkpoints verify wrote before the migration still hold: an incremental run reads nothing again.
    expect((await verifyAllChains(store, { checkpoints: store })).chains.map((c) => [c.records, c.resumedAfter])).toEqual([
      [0, 25],
      [0, 25],
    ]);
    await store.close();
  });
});
