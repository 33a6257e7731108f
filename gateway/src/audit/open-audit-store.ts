import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditRecord } from '../../../access-policy/src';
import { projectRoot, type StoreLocation } from '../../../platform/src';
import type { AuditCheckpoint, AuditFilter, AuditStore } from './audit-store';
import type { WorkerCall } from './audit-store-worker';
import { SqlAuditStore } from './sql-audit-store';

/** The compiled worker script (tests run from TypeScript sources; the worker always runs compiled). */
function workerScript(): string {
  const sibling = join(__dirname, 'audit-store-worker.js');
  return existsSync(sibling) ? sibling : join(projectRoot(), 'dist/gateway/src/audit/audit-store-worker.js');
}

/** The audit store on a worker thread, behind the same port. */
class ThreadedAuditStore implements AuditStore {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly worker: Worker) {
    worker.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('audit worker exited')));
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private call<T>(method: WorkerCall['method'] | 'appendBatchJson', ...args: unknown[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = ++this.next;
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies WorkerCall);
    });
  }

  // One JSON string per batch: far cheaper to post than the structured clone of many objects.
  appendBatch = (records: readonly AuditRecord[]) => this.call<void>('appendBatchJson', JSON.stringify(records));
  startChain = (chainId: string, startedAt: string, host: string) => this.call<void>('startChain', chainId, startedAt, host);
  chainIds = () => this.call<string[]>('chainIds');
  readChain = (chainId: string, afterSeq: number, limit: number) => this.call<AuditRecord[]>('readChain', chainId, afterSeq, limit);
  lastRecord = (chainId: string) => this.call<AuditRecord | null>('lastRecord', chainId);
  checkpoint = (chainId: string) => this.call<AuditCheckpoint | null>('checkpoint', chainId);
  query = (filter: AuditFilter) => this.call<AuditRecord[]>('query', filter);
  between = (from: string, to: string) => this.call<AuditRecord[]>('between', from, to);
  purgeBefore = (before: string) => this.call<number>('purgeBefore', before);
  ping = () => this.call<void>('ping');
  async close(): Promise<void> {
    await this.call<void>('close').catch(() => undefined);
    await this.worker.terminate();
  }
}

/**
 * Opens the gateway's audit store: on PostgreSQL directly (its driver never blocks), on SQLite in
 * a worker thread (better-sqlite3's durable commits block their thread while the disk syncs).
 */
export async function openAuditStore(location: StoreLocation): Promise<AuditStore> {
  if (location.kind === 'postgres') return SqlAuditStore.open(location);
  const worker = new Worker(workerScript(), { workerData: { location } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (msg: { ready: boolean; error?: string }) => (msg.ready ? resolve() : reject(new Error(msg.error))));
    worker.once('error', reject);
  });
  return new ThreadedAuditStore(worker);
}
