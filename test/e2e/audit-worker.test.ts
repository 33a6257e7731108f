import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { AuditRecord } from '../../access-policy/src';
import { ThreadedAuditStore } from '../../gateway/src/audit/open-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { createLogger } from '../../platform/src';
import { startStack, type GraphQLResult, type Stack } from '../support/stack';

const silent = createLogger('test', 'silent');
const PROFILE = '{ person(id: "A10000003") { id name { last } } }';

/** Resolves with the result, or with 'hung' when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> {
  return Promise.race([promise, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms).unref())]);
}

/**
 * Issue 17: the embedded audit store's worker thread. If it dies or stops answering, no request
 * hangs: each gets 503 at once, `/health/ready` says so, the worker comes back by itself, and
 * every response that carried data has its record.
 */
describe('the SQLite audit worker under failure', () => {
  let stack: Stack;
  let store: ThreadedAuditStore;
  const workers: Worker[] = [];
  /** The next worker to hand out instead of a real one (a hung one, say). */
  let substitute: (() => Worker) | null = null;

  beforeAll(async () => {
    stack = await startStack({
      mode: 'in-process',
      persons: 100,
      gatewayOptions: async (dataDir) => {
        store = await ThreadedAuditStore.open(
          { kind: 'sqlite', dataDir },
          {
            logger: silent,
            callTimeoutMs: 1000,
            // Long enough for the test to see the dead state from outside, on a loaded machine too.
            restartDelaysMs: [2500],
            spawnWorker: (script: string, options: WorkerOptions) => {
              const make = substitute ?? (() => new Worker(script, options));
              substitute = null;
              const worker = make();
              workers.push(worker);
              return worker;
            },
          },
        );
        return { auditStore: store };
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const ready = async () => (await fetch(`${stack.baseUrl}/health/ready`)).status;

  async function recordOf(result: GraphQLResult): Promise<AuditRecord | undefined> {
    const id = result.headers.get('x-request-id');
    return (await store.query({ limit: 5000 })).find((r) => r.requestId === id);
  }

  async function untilReady(): Promise<void> {
    for (let i = 0; i < 300 && (await ready()) !== 200; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await ready()).toBe(200);
  }

  it('killed under load: no request hangs, readiness drops and returns, and every answer with data has its record', async () => {
    const results: (GraphQLResult | 'hung')[] = [];
    let killed = false;
    const client = async () => {
      for (let i = 0; i < 40; i++) {
        results.push(await within(stack.query('officer', PROFILE), 10_000));
        if (!killed && results.length >= 60) {
          killed = true;
          await workers[workers.length - 1].terminate();
          // Dead now: refused at once, and readiness says the audit is down.
          expect(await ready()).toBe(503);
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, client));
    expect(killed).toBe(true);
    expect(results.filter((r) => r === 'hung')).toHaveLength(0);
    const answered = results as GraphQLResult[];
    expect(answered.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    const refused = answered.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body.data ?? null).toBeNull();
      expect(r.body.errors?.[0]?.extensions?.code).toBe('AUDIT_UNAVAILABLE');
    }
    await untilReady();
    expect(workers.length).toBeGreaterThan(1);
    for (const r of answered.filter((a) => a.body.data?.person)) expect(await recordOf(r)).toMatchObject({ outcome: 'ALLOWED' });
    const after = await stack.query('officer', PROFILE);
    expect(after.body.data?.person?.name?.last).toBe('SMITH');
    expect(await verifyAllChains(store)).toMatchObject({ ok: true });
  });

  it('a worker that stops answering is given up on at its deadline: the request gets 503, not a wait', async () => {
    await untilReady();
    // The next worker made starts, says it is ready, then never answers a call.
    substitute = () => new Worker('require("node:worker_threads").parentPort.postMessage({ ready: true }); setInterval(() => {}, 1000);', { eval: true });
    await workers[workers.length - 1].terminate();
    for (let i = 0; i < 100 && workers.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 100 && !store.running; i++) await new Promise((r) => setTimeout(r, 20));
    // The worker's deadline is 1 s: an answer within 8 s (on a loaded machine) is the deadline at
    // work; without one the request would wait for ever.
    const result = await within(stack.query('officer', PROFILE), 8000);
    expect(result).not.toBe('hung');
    expect((result as GraphQLResult).status).toBe(503);
    // Given up on, it is replaced by a real worker, and service resumes.
    await untilReady();
    const after = await stack.query('officer', PROFILE);
    expect(after.body.data?.person?.name?.last).toBe('SMITH');
    expect(await recordOf(after)).toMatchObject({ outcome: 'ALLOWED' });
  });
});
