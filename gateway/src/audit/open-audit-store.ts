import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { AuditRecord } from '../../../access-policy/src';
import { createLogger, projectRoot, type Logger, type StoreLocation } from '../../../platform/src';
import type { AuditCheckpoint, AuditFilter, AuditStore, BetweenOptions } from './audit-store';
import type { WorkerCall } from './audit-store-worker';
import { SqlAuditStore } from './sql-audit-store';

/** The compiled worker script (tests run from TypeScript sources; the worker always runs compiled). */
function workerScript(): string {
  const sibling = join(__dirname, 'audit-store-worker.js');
  return existsSync(sibling) ? sibling : join(projectRoot(), 'dist/gateway/src/audit/audit-store-worker.js');
}

/** Options of the threaded store. Every field has a default fit for production. */
export interface ThreadedAuditStoreOptions {
  logger?: Logger;
  /**
   * Deadline of one call to the worker. A durable SQLite commit of a full batch takes
   * milliseconds; a worker silent this long is hung (a stalled disk, a wedged thread), and it
   * is restarted rather than left to hold every request. @default 5000
   */
  callTimeoutMs?: number;
  /** Deadline of a retention purge, which deletes a day's records in one transaction. @default 600000 */
  purgeTimeoutMs?: number;
  /** Waits before each restart after the worker died; the last repeats. @default [100, 500, 1000, 5000] */
  restartDelaysMs?: readonly number[];
  /** Makes the worker thread (tests pass one that records the workers it makes). @default `new Worker` */
  spawnWorker?: (script: string, options: WorkerOptions) => Worker;
}

interface PendingCall {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The embedded audit store on a worker thread, behind the same port. If the worker dies or stops
 * answering, every call in flight fails at once, and every new call fails at once too (the caller
 * gets 503, `/health/ready` says the audit is down) until the worker has been restarted, with
 * back-off. Nothing ever waits on a worker that will not answer (issue 17).
 */
export class ThreadedAuditStore implements AuditStore {
  private next = 0;
  private readonly pending = new Map<number, PendingCall>();
  private worker: Worker | null = null;
  private closing = false;
  private restarts = 0;
  private readonly logger: Logger;
  private readonly options: Required<Omit<ThreadedAuditStoreOptions, 'logger'>>;

  private constructor(
    private readonly location: StoreLocation,
    options: ThreadedAuditStoreOptions,
  ) {
    this.logger = options.logger ?? createLogger('gateway', 'silent');
    this.options = {
      callTimeoutMs: options.callTimeoutMs ?? 5000,
      purgeTimeoutMs: options.purgeTimeoutMs ?? 600_000,
      restartDelaysMs: options.restartDelaysMs?.length ? options.restartDelaysMs : [100, 500, 1000, 5000],
      spawnWorker: options.spawnWorker ?? ((script, workerOptions) => new Worker(script, workerOptions)),
    };
  }

  /** Starts the worker; rejects if the first one cannot open the store (start-up fails loudly). */
  static async open(location: StoreLocation, options: ThreadedAuditStoreOptions = {}): Promise<ThreadedAuditStore> {
    const store = new ThreadedAuditStore(location, options);
    store.attach(await store.spawn());
    return store;
  }

  /** Whether the worker is up and taking calls. */
  get running(): boolean {
    return this.worker !== null;
  }

  private async spawn(): Promise<Worker> {
    const worker = this.options.spawnWorker(workerScript(), { workerData: { location: this.location } });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('audit worker did not start in time')), Math.max(this.options.callTimeoutMs, 10_000));
        worker.once('message', (msg: { ready: boolean; error?: string }) => {
          clearTimeout(timer);
          if (msg.ready) resolve();
          else reject(new Error(msg.error ?? 'audit worker failed to start'));
        });
        worker.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        worker.once('exit', () => {
          clearTimeout(timer);
          reject(new Error('audit worker exited while starting'));
        });
      });
    } catch (error) {
      await worker.terminate().catch(() => undefined);
      throw error;
    }
    return worker;
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    worker.on('error', (error) => this.died(worker, error.message));
    worker.on('exit', (code) => this.died(worker, `exited with code ${code}`));
  }

  /** The worker is gone (or given up on): fail what waits on it, and bring up another. */
  private died(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    worker.removeAllListeners('message');
    void worker.terminate().catch(() => undefined);
    this.failAll(new Error(`audit worker ${reason}`));
    if (this.closing) return;
    this.logger.fatal({ alert: 'AUDIT_WORKER_DOWN', reason }, 'audit worker down: requests are refused until it is restarted');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delays = this.options.restartDelaysMs;
    const delay = delays[Math.min(this.restarts, delays.length - 1)];
    this.restarts++;
    setTimeout(() => {
      if (this.closing) return;
      this.spawn().then(
        (worker) => {
          if (this.closing) {
            void worker.terminate();
            return;
          }
          this.attach(worker);
          this.restarts = 0;
          this.logger.warn({ alert: 'AUDIT_WORKER_RESTARTED' }, 'audit worker restarted');
        },
        (error: Error) => {
          this.logger.error({ alert: 'AUDIT_WORKER_DOWN', reason: error.message }, 'audit worker restart failed; retrying');
          this.scheduleRestart();
        },
      );
    }, delay).unref();
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  private call<T>(method: WorkerCall['method'], args: unknown[], timeoutMs = this.options.callTimeoutMs): Promise<T> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error(this.closing ? 'audit store closed' : 'audit worker is not running'));
    return new Promise<T>((resolve, reject) => {
      const id = ++this.next;
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(new Error(`audit worker did not answer ${method} within ${timeoutMs} ms`));
        // A worker that misses a deadline is hung: give up on it, so no later call waits on it too.
        this.died(worker, `missed the ${timeoutMs} ms deadline of ${method}`);
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.postMessage({ id, method, args } satisfies WorkerCall);
    });
  }

  // One JSON string per batch: far cheaper to post than the structured clone of many objects.
  appendBatch = (records: readonly AuditRecord[]) => this.call<void>('appendBatchJson', [JSON.stringify(records)]);
  startChain = (chainId: string, startedAt: string, host: string) => this.call<void>('startChain', [chainId, startedAt, host]);
  chainIds = () => this.call<string[]>('chainIds', []);
  readChain = (chainId: string, afterSeq: number, limit: number) => this.call<AuditRecord[]>('readChain', [chainId, afterSeq, limit]);
  lastRecord = (chainId: string) => this.call<AuditRecord | null>('lastRecord', [chainId]);
  checkpoint = (chainId: string) => this.call<AuditCheckpoint | null>('checkpoint', [chainId]);
  query = (filter: AuditFilter) => this.call<AuditRecord[]>('query', [filter]);
  between = (from: string, to: string, options?: BetweenOptions) => this.call<AuditRecord[]>('between', [from, to, options]);
  purgeBefore = (before: string) => this.call<number>('purgeBefore', [before], this.options.purgeTimeoutMs);
  ping = () => this.call<void>('ping', []);

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker) await this.call<void>('close', []).catch(() => undefined);
    this.closing = true;
    this.worker = null;
    this.failAll(new Error('audit store closed'));
    await worker?.terminate();
  }
}

/**
 * Opens the gateway's audit store: on PostgreSQL directly (its driver never blocks), on SQLite in
 * a worker thread (better-sqlite3's durable commits block their thread while the disk syncs).
 */
export async function openAuditStore(location: StoreLocation, options: ThreadedAuditStoreOptions = {}): Promise<AuditStore> {
  if (location.kind === 'postgres') return SqlAuditStore.open(location);
  return ThreadedAuditStore.open(location, options);
}
