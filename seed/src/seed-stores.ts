import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresClient, type StoreLocation } from '../../platform/src';
import { SUBGRAPHS } from '../../subgraphs';
import { syncAddressProtections } from './address-protection-sync';
import { buildFixtures } from './fixtures';
import { PopulationSource } from './population-worker';
import { RecordIds } from './record-ids';
import type { SeedData } from './seed-data';

/** Options of one seed run. */
export interface SeedOptions {
  /** Persons in all, the seven fixtures included. @default 10000 */
  persons?: number;
  /** The seed date T that fixture dates are relative to. @default now */
  seedDate?: Date;
  /**
   * The secret that arrest and alert ids are keyed with (`RecordIds`): the same key, date and
   * count give the same ids. @default a fresh random key (ids unguessable, new on every seeding)
   */
  idKey?: string;
  /** Called after each chunk with persons written so far. */
  onProgress?: (done: number, total: number) => void;
}

/** What a seed run did. */
export interface SeedResult {
  seeded: boolean;
  persons: number;
  orders: number;
  alerts: number;
  reason?: string;
}

const SEED_KEY = 'seed';
/**
 * Persons generated and written at a time: each store takes a chunk as one transaction of bulk
 * inserts (COPY on PostgreSQL), so fewer, larger chunks spend less on round trips and commits.
 */
const CHUNK = 5000;

async function openRecordStores(location: StoreLocation) {
  return {
    criminalHistory: await SUBGRAPHS['criminal-history'].openStore(location),
    orders: await SUBGRAPHS.orders.openStore(location),
    alerts: await SUBGRAPHS.alerts.openStore(location),
  };
}

async function write(stores: Awaited<ReturnType<typeof openRecordStores>>, data: SeedData, counts: { orders: number; alerts: number }) {
  await stores.criminalHistory.insertSeed(data.criminalHistory);
  await stores.orders.insertSeed(data.orders);
  await stores.alerts.insertSeed(data.alerts);
  counts.orders += new Set(data.orders.events.map((e) => e.orderId)).size;
  counts.alerts += data.alerts.length;
}

/**
 * Seeds the three record stores with the fixtures and the synthetic population, unless they are
 * seeded already. Each store records when its seed completed; a store left half-seeded (an
 * interrupted first start) is reported, and `resetRecordStores` clears it.
 */
export async function seedStores(location: StoreLocation, options: SeedOptions = {}): Promise<SeedResult> {
  const total = options.persons ?? 10_000;
  if (!Number.isInteger(total) || total < 7) throw new RangeError(`persons must be an integer of at least 7 (the fixtures), got ${total}`);
  const t = options.seedDate ?? new Date();
  const stores = await openRecordStores(location);
  try {
    const marks = await Promise.all([stores.criminalHistory, stores.orders, stores.alerts].map((s) => s.getMeta(SEED_KEY)));
    if (marks.every(Boolean)) {
      // Seeded before criminal-history kept address protections: it learns them now (DESIGN §4 rule 11).
      await syncAddressProtections(stores.orders, stores.criminalHistory);
      return { seeded: false, persons: await stores.criminalHistory.countPersons(), orders: 0, alerts: 0, reason: 'already seeded' };
    }
    const nonEmpty = (await stores.criminalHistory.countPersons()) + (await stores.orders.countOrders()) + (await stores.alerts.countAlerts());
    if (nonEmpty > 0) throw new PartialSeedError();

    const counts = { orders: 0, alerts: 0 };
    const ids = new RecordIds(options.idKey);
    const idKey = options.idKey === undefined ? ids.keyBytes() : Buffer.from(options.idKey, 'utf8');
    // The next chunk is generated on a worker thread while this one is written.
    const population = new PopulationSource(t, total, idKey);
    // Into empty tables without their secondary indexes and foreign keys, built again after (and
    // statistics refreshed): COPY runs four to five times faster so (bulkLoad).
    try {
      await stores.criminalHistory.bulkLoad(() =>
        stores.orders.bulkLoad(() =>
          stores.alerts.bulkLoad(async () => {
            await write(stores, buildFixtures(t, ids), counts);
            let next: Promise<SeedData> | null = population.build(1, Math.min(total, CHUNK));
            for (let from = 1; next; from += CHUNK) {
              const to = Math.min(total, from + CHUNK - 1);
              const data: SeedData = await next;
              next = to < total ? population.build(to + 1, Math.min(total, to + CHUNK)) : null;
              await write(stores, data, counts);
              options.onProgress?.(to, total);
            }
          }),
        ),
      );
    } finally {
      await population.close();
    }
    const mark = JSON.stringify({ persons: total, seedDate: t.toISOString(), at: new Date().toISOString() });
    for (const s of [stores.criminalHistory, stores.orders, stores.alerts]) await s.setMeta(SEED_KEY, mark);
    return { seeded: true, persons: total, ...counts };
  } finally {
    await Promise.all([stores.criminalHistory.close(), stores.orders.close(), stores.alerts.close()]);
  }
}

/** The record stores hold data but their seed never completed. */
export class PartialSeedError extends Error {
  override readonly name = 'PartialSeedError';
  constructor() {
    super('the record stores hold data from an unfinished seed; reset them (npm run db:seed -- --reset) and seed again');
  }
}

/**
 * Deletes the three record stores (never the audit log): their SQLite files, or their
 * PostgreSQL schemas. Synthetic data only — the sandbox's to remake.
 */
export async function resetRecordStores(location: StoreLocation): Promise<void> {
  const names = Object.keys(SUBGRAPHS);
  if (location.kind === 'sqlite') {
    for (const name of names) for (const suffix of ['', '-wal', '-shm']) rmSync(join(location.dataDir, `${name}.sqlite${suffix}`), { force: true });
    return;
  }
  const client = new PostgresClient(location.url, 'public', { max: 1 });
  try {
    for (const name of names) await client.exec(`DROP SCHEMA IF EXISTS ${name.replace(/-/g, '_')} CASCADE`);
  } finally {
    await client.close();
  }
}
