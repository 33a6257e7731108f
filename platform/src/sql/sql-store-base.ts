import type { StoreBase } from './store-base';
import { bulkLoad } from './bulk-load';
import type { SqlClient } from './sql-client';

/**
 * What every SQL-backed store shares: readiness, closing, the statement counter, and a small
 * key/value table (`store_metadata`, created by `migrate`) for facts about the store itself,
 * such as whether seeding finished.
 */
export abstract class SqlStoreBase implements StoreBase {
  constructor(protected readonly sql: SqlClient) {}

  get stats(): { statements: number } {
    return this.sql.stats;
  }

  ping(): Promise<void> {
    return this.sql.ping();
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  /** A metadata value, or null. */
  async getMeta(key: string): Promise<string | null> {
    const row = await this.sql.get<{ value: string }>('SELECT value FROM store_metadata WHERE meta_key = ?', [key]);
    return row?.value ?? null;
  }

  /** Runs a load into the store's empty tables without their secondary indexes (`bulkLoad`). */
  bulkLoad<T>(work: () => Promise<T>): Promise<T> {
    return bulkLoad(this.sql, work);
  }

  /** Sets a metadata value. */
  async setMeta(key: string, value: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.run('DELETE FROM store_metadata WHERE meta_key = ?', [key]);
      await tx.run('INSERT INTO store_metadata (meta_key, value) VALUES (?, ?)', [key, value]);
    });
  }
}
