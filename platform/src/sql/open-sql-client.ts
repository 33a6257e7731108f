import { join } from 'node:path';
import { PostgresClient } from './postgres-client';
import { SqliteClient } from './sqlite-client';
import type { SqlClient } from './sql-client';
import { tracingEnabled } from '../observability/tracing';
import { tracedSqlClient } from '../observability/traced-sql-client';

/** Where a store lives: an SQLite file under DATA_DIR, or a schema of a PostgreSQL database. */
export type StoreLocation = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

/**
 * Opens the client for one named store (`criminal-history`, `orders`, `alerts`, `audit`):
 * `<dataDir>/<name>.sqlite`, or schema `<name with _>` of the PostgreSQL database.
 */
export async function openSqlClient(location: StoreLocation, store: string, options: { durable?: boolean; poolSize?: number } = {}): Promise<SqlClient> {
  const client = await openUntraced(location, store, options);
  // Statement spans only when this process exports traces: otherwise not even a wrapper.
  return tracingEnabled() ? tracedSqlClient(client) : client;
}

async function openUntraced(location: StoreLocation, store: string, options: { durable?: boolean; poolSize?: number }): Promise<SqlClient> {
  if (location.kind === 'sqlite') return new SqliteClient(join(location.dataDir, `${store}.sqlite`), options);
  const schema = store.replace(/-/g, '_');
  // The schema must exist before connections that use it as their search_path can create tables.
  const bootstrap = new PostgresClient(location.url, 'public', { max: 1 });
  try {
    await bootstrap.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    // Two processes creating one schema at once: the loser sees a unique violation; the schema exists.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await bootstrap.close();
  }
  return new PostgresClient(location.url, schema, options.poolSize ? { max: options.poolSize } : {});
}
