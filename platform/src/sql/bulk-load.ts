import { storeTables } from './migrations';
import type { SqlClient } from './sql-client';

/** Store metadata key holding the definitions a bulk load dropped, until it has rebuilt them. */
export const BULK_LOAD_META = 'bulk-load-dropped';

/** SQLite's page cache during a bulk load, in KiB (as a negative cache_size): 256 MB. */
const SQLITE_LOAD_CACHE_KIB = -262_144;

/** Memory each index build of `restoreAfterBulkLoad` may sort in, on PostgreSQL. */
const BUILD_MEMORY = '512MB';

/** What a bulk load takes off a store's tables: statements that put each back. */
interface Dropped {
  /** CREATE INDEX statements of the secondary indexes (primary keys stay). */
  indexes: string[];
  /** ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY statements (PostgreSQL; SQLite's cannot be dropped). */
  foreignKeys: string[];
}

/**
 * Runs `work` — inserts into a store's empty tables — without the tables' secondary indexes and
 * (on PostgreSQL) foreign keys, then builds them again and refreshes the planner's statistics.
 * A sorted index build and one validating join per key cost a fraction of growing them row by
 * row: on this 2-core host, COPY took 230 µs a person with them and 50 µs without (persons,
 * their search keys, arrests, charges). Primary keys stay, so a duplicate still fails the load.
 * The dropped definitions are written to store_metadata first: a load cut short leaves them
 * there, and the store's next `migrate` puts them back (`restoreAfterBulkLoad`).
 */
export async function bulkLoad<T>(client: SqlClient, work: () => Promise<T>): Promise<T> {
  const dropped = await definitions(client);
  await client.transaction(async (tx) => {
    await tx.run('DELETE FROM store_metadata WHERE meta_key = ?', [BULK_LOAD_META]);
    await tx.run('INSERT INTO store_metadata (meta_key, value) VALUES (?, ?)', [BULK_LOAD_META, JSON.stringify(dropped)]);
    for (const fk of await foreignKeyNames(tx)) await tx.exec(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.name}`);
    for (const name of await secondaryIndexNames(tx)) await tx.exec(`DROP INDEX ${name}`);
  });
  // SQLite's page cache is 2 MB by default: random keys (arrests' and charges' opaque ids) then
  // read a page from the file for most inserts once their index outgrows it.
  const cache = client.dialect === 'sqlite' ? (await client.get<{ cache_size: number }>('PRAGMA cache_size'))?.cache_size : undefined;
  if (cache !== undefined) await client.exec(`PRAGMA cache_size = ${SQLITE_LOAD_CACHE_KIB}`);
  try {
    return await work();
  } finally {
    await restoreAfterBulkLoad(client);
    if (cache !== undefined) await client.exec(`PRAGMA cache_size = ${Number(cache)}`);
  }
}

/**
 * Puts back what an unfinished bulk load dropped (store_metadata `bulk-load-dropped`), then
 * refreshes statistics; nothing when no load is pending. Run by `migrate` on every open.
 */
export async function restoreAfterBulkLoad(client: SqlClient): Promise<boolean> {
  const row = await client.get<{ value: string }>('SELECT value FROM store_metadata WHERE meta_key = ?', [BULK_LOAD_META]);
  if (!row) return false;
  const dropped = JSON.parse(row.value) as Dropped;
  await client.transaction(async (tx) => {
    // Index builds sort in memory up to maintenance_work_mem (64 MB by default: a million rows'
    // index spills to disk); this transaction's builds may take more, this once.
    if (tx.dialect === 'postgres') await tx.exec(`SET LOCAL maintenance_work_mem = '${BUILD_MEMORY}'`);
    const present = new Set(await secondaryIndexNames(tx));
    for (const sql of dropped.indexes) {
      const name = /INDEX\s+(?:IF NOT EXISTS\s+)?([a-z_][a-z0-9_]*)/i.exec(sql)?.[1];
      if (!name || !present.has(name)) await tx.exec(sql);
    }
    const keys = new Set((await foreignKeyNames(tx)).map((k) => k.name));
    for (const sql of dropped.foreignKeys) {
      const name = /ADD CONSTRAINT\s+([a-z_][a-z0-9_]*)/i.exec(sql)?.[1];
      if (!name || !keys.has(name)) await tx.exec(sql);
    }
    await tx.run('DELETE FROM store_metadata WHERE meta_key = ?', [BULK_LOAD_META]);
  });
  await client.analyze(await storeTables(client));
  return true;
}

async function definitions(client: SqlClient): Promise<Dropped> {
  if (client.dialect === 'sqlite') {
    const rows = await client.rows<[string]>("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
    return { indexes: rows.map((r) => r[0]), foreignKeys: [] };
  }
  const indexes = await client.rows<[string]>(
    `SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisprimary AND NOT i.indisunique ORDER BY c.relname`,
  );
  const keys = await client.rows<[string, string, string]>(
    `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
     WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY conname`,
  );
  return { indexes: indexes.map((r) => r[0]), foreignKeys: keys.map(([table, name, def]) => `ALTER TABLE ${table} ADD CONSTRAINT ${name} ${def}`) };
}

/** Secondary indexes a load may drop: not a primary key's, not a unique one's (they enforce). */
async function secondaryIndexNames(client: SqlClient): Promise<string[]> {
  const rows =
    client.dialect === 'sqlite'
      ? await client.rows<[string]>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'")
      : await client.rows<[string]>(
          `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisprimary AND NOT i.indisunique`,
        );
  return rows.map((r) => r[0]);
}

async function foreignKeyNames(client: SqlClient): Promise<Array<{ table: string; name: string }>> {
  if (client.dialect === 'sqlite') return [];
  const rows = await client.rows<[string, string]>(
    "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
  );
  return rows.map(([table, name]) => ({ table, name }));
}
