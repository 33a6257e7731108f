import { parentPort, Worker, workerData } from 'node:worker_threads';
import { PopulationBuilder } from './population';
import { RecordIds } from './record-ids';
import type { SeedData } from './seed-data';

/** What the worker is started with: the builder's arguments. */
interface PopulationWorkerData {
  seedDate: string;
  total: number;
  /** The record-id key, hex. */
  idKey: string;
}

/**
 * Generates the population's chunks ahead of the writer: on its own thread when this file runs
 * compiled (dist/), inline otherwise (ts-jest runs the TypeScript, which a worker cannot). The
 * builder numbers orders as it goes, so one builder makes every chunk, in order.
 */
export class PopulationSource {
  private readonly worker: Worker | null;
  private readonly inline: PopulationBuilder | null;
  private queue: Array<{ resolve: (d: SeedData) => void; reject: (e: Error) => void }> = [];

  constructor(seedDate: Date, total: number, idKey: Buffer) {
    if (__filename.endsWith('.js')) {
      this.inline = null;
      const data: PopulationWorkerData = { seedDate: seedDate.toISOString(), total, idKey: idKey.toString('hex') };
      this.worker = new Worker(__filename, { workerData: data });
      this.worker.on('message', (d: SeedData) => this.queue.shift()?.resolve(d));
      this.worker.on('error', (e) => {
        for (const q of this.queue.splice(0)) q.reject(e);
      });
    } else {
      this.worker = null;
      this.inline = new PopulationBuilder(seedDate, total, new RecordIds(idKey));
    }
  }

  /** Persons `from`..`to` with their records; chunks must be asked for in order. */
  build(from: number, to: number): Promise<SeedData> {
    if (this.inline) return Promise.resolve(this.inline.buildChunk(from, to));
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.worker!.postMessage({ from, to });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

if (parentPort && workerData && (workerData as PopulationWorkerData).idKey) {
  const d = workerData as PopulationWorkerData;
  const builder = new PopulationBuilder(new Date(d.seedDate), d.total, new RecordIds(Buffer.from(d.idKey, 'hex')));
  const port = parentPort;
  port.on('message', ({ from, to }: { from: number; to: number }) => port.postMessage(builder.buildChunk(from, to)));
}
