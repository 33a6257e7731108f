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
