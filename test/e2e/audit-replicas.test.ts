import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { projectRoot } from '../../platform/src';
import { describeWithPostgres, dropTestDatabases } from '../support/postgres';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { OFFICER_PROFILE } from '../support/queries';

/** Issue 7: gateway replicas share one PostgreSQL audit log, each with its own chain. */
describeWithPostgres('two gateway replicas writing one audit log on PostgreSQL', () => {
  let stack: Stack;
  let replica: Awaited<ReturnType<Stack['addGateway']>>;
  beforeAll(async () => {
    stack = await startStack({ persons: 300, store: 'postgres' });
    replica = await stack.addGateway();
  });
  afterAll(async () => {
    await replica?.stop();
    await stack?.stop();
    await dropTestDatabases();
  });

  it('keeps one intact chain per replica under concurrent load, with a record for every response', async () => {
    const token = await stack.token('officer');
    const headers = { authorization: `Bearer ${token}`, 'x-purpose-code': 'C', 'x-reason': 'INC-LOAD-1' };
    const urls = [stack.gatewayUrl, replica.gatewayUrl];
    const requestIds: string[] = [];
    const TOTAL = 240;
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        const n = next++;
        const id = `A${10000001 + (n % 250)}`;
        const res = await postGraphQL(urls[n % 2], { query: OFFICER_PROFILE, variables: { id } }, headers);
        expect(res.status).toBe(200);
        requestIds.push(res.headers.get('x-request-id')!);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(requestIds).toHaveLength(TOTAL);

    const store = await SqlAuditStore.open({ kind: 'postgres', url: stack.env.DATABASE_URL }, 2);
    try {
      const result = await verifyAllChains(store);
      expect(result.ok).toBe(true);
      expect(result.chains.filter((c) => c.records > 0)).toHaveLength(2);
      const records = await store.query({ user: 'u-officer-1001', limit: 1000 });
      const recorded = new Map<string, number>();
      for (const r of records) recorded.set(r.requestId, (recorded.get(r.requestId) ?? 0) + 1);
      const missing = requestIds.filter((id) => recorded.get(id) !== 1);
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }

    const cli = spawnSync(process.execPath, [join(projectRoot(), 'dist/scripts/audit-cli.js'), 'verify'], {
      env: { ...process.env, DATABASE_URL: stack.env.DATABASE_URL },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/audit chains intact: 2 chains/);
  });

  it('refuses to update or delete audit rows on PostgreSQL too', async () => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: stack.env.DATABASE_URL });
    await client.connect();
    try {
      await expect(client.query("UPDATE audit.audit_records SET reason = 'x'")).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM audit.audit_records')).rejects.toThrow(/retention purge/);
    } finally {
      await client.end();
    }
  });
});
