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

/**
 * Applies the migrations a store has not seen yet, in version order, each in its own
 * transaction, and records them in `schema_migrations`. Safe to run at every start and from
 * several processes: a version applied by another process is skipped.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[]): Promise<number[]> {
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error('migration versions must be unique');
  await client.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);' +
      'CREATE TABLE IF NOT EXISTS store_metadata (meta_key TEXT PRIMARY KEY, value TEXT NOT NULL);',
  );
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const done = await client.get<{ version: number }>('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
    if (done) continue;
    try {
      await client.transaction(async (tx) => {
        await tx.exec(typeof m.up === 'string' ? m.up : m.up[client.dialect]);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      });
      applied.push(m.version);
    } catch (error) {
      // Another process may have applied it between our check and our insert.
      const nowDone = await client.get('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (!nowDone) throw error;
    }
  }
  return applied;
}
