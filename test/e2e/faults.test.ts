import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { OFFICER_PROFILE } from '../support/queries';
import { postGraphQL, startStack, type Stack } from '../support/stack';

/** docs/design.md §7, faults: a subgraph down or slow, a crash under load, a graceful shutdown. */
describe('faults', () => {
  let stack: Stack;
  let headers: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack({ persons: 200, env: { SUBGRAPH_TIMEOUT_MS: '1000' } });
    headers = { authorization: `Bearer ${await stack.token('officer')}`, 'x-purpose-code': 'C', 'x-reason': 'INC-FAULT' };
  });
  afterAll(async () => {
    stack?.signal('alerts', 'SIGCONT');
    stack?.signal('criminal-history', 'SIGCONT');
    await stack?.stop();
  });

  const profile = () => postGraphQL(stack.gatewayUrl, { query: OFFICER_PROFILE, variables: { id: 'A10000003' } }, headers);
  const ready = async () => (await fetch(`${stack.baseUrl}/health/ready`)).status;

  it('answers with partial data and a masked error when a subgraph hangs, and recovers when it returns', async () => {
    stack.signal('alerts', 'SIGSTOP');
    try {
      const started = Date.now();
      const partial = await profile();
      expect(Date.now() - started).toBeLessThan(4000);
      expect(partial.status).toBe(200);
      expect(partial.body.data!.person.name.last).toBe('SMITH');
      expect(partial.body.data!.person.alerts).toBeNull();
      // The gateway attaches no path to a whole fetch's failure: the error names the source, and its fields are null.
      expect(partial.body.errors).toEqual([
        { message: 'The alerts source did not answer; its part of the result is missing', extensions: { code: 'SOURCE_UNAVAILABLE', serviceName: 'alerts' } },
      ]);
      expect(partial.text).not.toMatch(/127\.0\.0\.1|ECONN|abort|stack/i);
      expect(await ready()).toBe(503);
    } finally {
      stack.signal('alerts', 'SIGCONT');
    }
    const full = await profile();
    expect(full.body.errors).toBeUndefined();
    expect(full.body.data!.person.alerts).toHaveLength(2);
    expect(await ready()).toBe(200);
  });

  it('answers with partial data when a subgraph is down, and recovers when it is restarted', async () => {
    await stack.kill('orders');
    try {
      const partial = await profile();
      expect(partial.body.data!.person).toMatchObject({ name: { last: 'SMITH' }, protectiveOrders: null, protectedBy: null });
      expect(partial.body.data!.person.alerts).toHaveLength(2);
      expect(partial.body.errors!.map((e) => [e.extensions!.serviceName, e.extensions!.code])).toEqual([['orders', 'SOURCE_UNAVAILABLE']]);
      expect(await ready()).toBe(503);
    } finally {
      await stack.restart('orders');
    }
    const full = await profile();
    expect(full.body.errors).toBeUndefined();
    expect(await ready()).toBe(200);
  });

  it('keeps the audit chain intact, and a record for every response that carried data, through a SIGKILL under load', async () => {
    const served: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await postGraphQL(stack.gatewayUrl, { query: OFFICER_PROFILE, variables: { id: `A${10000001 + ((w * 37 + i) % 150)}` } }, headers);
          if (r.status === 200 && r.body.data?.person) served.push(r.headers.get('x-request-id')!);
        } catch {
          // The connection died with the gateway.
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    // Kill once the load is well under way (on a loaded machine that takes longer than 1.5 s).
    for (const started = Date.now(); served.length <= 20 && Date.now() - started < 30_000;) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    await stack.kill('gateway', 'SIGKILL');
    stop = true;
    await load;
    expect(served.length).toBeGreaterThan(20);
    await stack.restart('gateway');

    const audit = await SqlAuditStore.open({ kind: 'sqlite', dataDir: stack.dataDir });
    try {
      expect(await verifyAllChains(audit)).toMatchObject({ ok: true });
      const recorded = new Set((await audit.query({ user: 'u-officer-1001', limit: 100_000 })).map((r) => r.requestId));
      expect(served.filter((id) => !recorded.has(id))).toEqual([]);
    } finally {
      await audit.close();
    }
  });

  it('drains in-flight requests on SIGTERM, flushes their audit and exits 0', async () => {
    stack.signal('criminal-history', 'SIGSTOP');
    const inFlight = Array.from({ length: 10 }, () => profile());
    await new Promise((r) => setTimeout(r, 300));
    const exited = stack.kill('gateway', 'SIGTERM');
    setTimeout(() => stack.signal('criminal-history', 'SIGCONT'), 300);
    const results = await Promise.all(inFlight);
    expect(await exited).toBe(0);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.every((r) => r.body.data!.person.name.last === 'SMITH')).toBe(true);
    const audit = await SqlAuditStore.open({ kind: 'sqlite', dataDir: stack.dataDir });
    try {
      const recorded = new Set((await audit.query({ user: 'u-officer-1001', limit: 100_000 })).map((r) => r.requestId));
      expect(results.map((r) => r.headers.get('x-request-id')).filter((id) => !recorded.has(id!))).toEqual([]);
      expect((await verifyAllChains(audit)).ok).toBe(true);
    } finally {
      await audit.close();
    }
  });
});
