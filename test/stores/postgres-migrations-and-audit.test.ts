import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditWriter } from '../../gateway/src/audit/audit-writer';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { createLogger, projectRoot } from '../../platform/src';
import { describeWithPostgres, dropTestDatabases, freshDatabase } from '../support/postgres';

describeWithPostgres('PostgreSQL: migrations and the audit store', () => {
  afterAll(() => dropTestDatabases());

  it('`npm run db:migrate` creates every store in its own schema, and running it again changes nothing', async () => {
    const url = await freshDatabase();
    const run = () => spawnSync(process.execPath, [join(projectRoot(), 'dist/seed/src/migrate-cli.js')], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
    expect(run().status).toBe(0);
    expect(run().status).toBe(0);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      for (const schema of ['criminal_history', 'orders', 'alerts', 'audit']) {
        const { rows } = await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
        expect({ schema, versions: rows.map((r) => r.version) }).toEqual({ schema, versions: { audit: [1, 2, 3, 4, 5, 6], criminal_history: [1, 2, 3, 4, 5], alerts: [1, 2] }[schema] ?? [1] });
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

  it('keeps a verifiable chain through group commits and a retention purge', async () => {
    const store = await SqlAuditStore.open({ kind: 'postgres', url: await freshDatabase() }, 2);
    const writer = new AuditWriter(store, { logger: createLogger('test', 'silent') });
    await writer.start();
    const base = { userSub: 'u', userName: 'U', ori: 'CA0194200', client: null, scopes: [], purpose: 'C', reason: 'R', operationType: 'query', operationName: null, documentHash: null, document: null, variables: { a: [1, { b: 'c' }] }, outcome: 'ALLOWED' as const, deniedPaths: [], errorCodes: [], fieldsResolved: [], sourceAddress: null, userAgent: null, durationMs: 1 };
    await Promise.all(Array.from({ length: 30 }, (_, i) => writer.append({ ...base, requestId: `r${i}`, at: new Date(Date.UTC(2020, 0, 1 + i)).toISOString(), subjects: [`Person:A1000000${i % 7}`] })));
    expect(await verifyAllChains(store)).toMatchObject({ ok: true, chains: [{ records: 30 }] });
    expect(await store.query({ subject: 'Person:A10000003', limit: 100 })).toHaveLength(4);
    expect(await store.purgeBefore(new Date(Date.UTC(2020, 0, 11)).toISOString())).toBe(10);
    expect(await verifyAllChains(store)).toMatchObject({ ok: true, chains: [{ records: 20 }] });
    await store.close();
  });
});
