import { restoreAfterBulkLoad } from './bulk-load';
import type { SqlClient } from './sql-client';

/**
 * One versioned step of a store's schema. `up` is portable SQL (both engines run it), or one
 * script per engine where they differ (triggers, for instance).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string | { readonly sqlite: string; readonly postgres: string };
}

/** Key of the PostgreSQL advisory lock that serialises migrators (any constant will do). */
const MIGRATION_LOCK = 7_201_946;

/**
 * Applies the migrations a store has not seen yet, in version order, in one transaction, and
 * records them in `schema_migrations`. Safe at every start and from several processes at once:
 * on PostgreSQL an advisory lock makes the others wait (DDL is transactional there), on SQLite
 * the write lock of BEGIN IMMEDIATE does.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[]): Promise<number[]> {
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error('migration versions must be unique');
  const applied = await applyPending(client, migrations);
  // A bulk load cut short left its indexes dropped: they come back before the store serves.
  if (await restoreAfterBulkLoad(client)) return applied;
  // A migration that rebuilds or fills tables leaves the planner's statistics stale (PostgreSQL
  // gathers them only by ANALYZE or autovacuum, which may be off): refreshed before any query
  // plans. SQLite plans without statistics until it has some, and keeps them until the next
  // ANALYZE: taken of a store too young to be typical, they would mislead it for good.
  if (applied.length > 0 && client.dialect === 'postgres') await client.analyze(await storeTables(client));
  return applied;
}

/** The store's own tables: its schema's on PostgreSQL, its file's on SQLite. */
export async function storeTables(client: SqlClient): Promise<string[]> {
  const rows =
    client.dialect === 'postgres'
      ? await client.rows<[string]>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename')
      : await client.rows<[string]>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  return rows.map((r) => r[0]).filter((name) => /^[a-z_][a-z0-9_]*$/.test(name));
}

async function applyPending(client: SqlClient, migrations: readonly Migration[]): Promise<number[]> {
  return client.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);' +
        'CREATE TABLE IF NOT EXISTS store_metadata (meta_key TEXT PRIMARY KEY, value TEXT NOT NULL);',
    );
    const done = new Set((await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await tx.exec(typeof m.up === 'string' ? m.up : m.up[tx.dialect]);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      applied.push(m.version);
    }
    return applied;
  });
}
