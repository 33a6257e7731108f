import { parentPort, workerData } from 'node:worker_threads';
import type { StoreLocation } from '../../../platform/src';
import type { AuditRecord } from '../../../access-policy/src';
import type { AuditStore } from './audit-store';
import { SqlAuditStore } from './sql-audit-store';

/** A call from the gateway's main thread. */
export interface WorkerCall {
  id: number;
  method: keyof AuditStore | 'appendBatchJson';
  args: unknown[];
}

/**
 * Runs the embedded (SQLite) audit store on its own thread. Its commits are durable
 * (synchronous=FULL): each waits for the disk, and on the main thread that wait would stall every
 * request in flight. Here it stalls only the audit, while group commit gathers the next batch.
 */
async function serve(): Promise<void> {
  const store: AuditStore = await SqlAuditStore.open((workerData as { location: StoreLocation }).location);
  parentPort!.postMessage({ ready: true });
  const answer = async (call: WorkerCall): Promise<void> => {
    try {
      const result =
        call.method === 'appendBatchJson'
          ? await store.appendBatch(JSON.parse(call.args[0] as string) as AuditRecord[])
          : await (store[call.method] as (...a: unknown[]) => Promise<unknown>).apply(store, call.args);
      parentPort!.postMessage({ id: call.id, result });
    } catch (error) {
      parentPort!.postMessage({ id: call.id, error: (error as Error).message });
    }
  };
  // `answer` catches every failure itself and posts it back to the caller.
  parentPort!.on('message', (call: WorkerCall) => void answer(call));
}

serve().catch((error: Error) => parentPort!.postMessage({ ready: false, error: error.message }));
