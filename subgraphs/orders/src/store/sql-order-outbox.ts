import { placeholders, type SqlClient } from '../../../../platform/src';
import type { OrderOutbox, OutboxEntry, OutboxSession } from './order-outbox';

/** Key of the PostgreSQL advisory lock held by the one relay publishing (any constant unique to it will do). */
const PUBLISHER_LOCK = 7_201_947;

type EntryRow = [number, string, number, string];

function toEntry([seq, key, version, body]: EntryRow): OutboxEntry {
  return { seq: Number(seq), key, version: Number(version), body };
}

/** Writes an event's outbox row: inside the transaction that appends the event. */
export async function addToOutbox(tx: SqlClient, entry: { key: string; version: number; body: string; published: boolean }): Promise<void> {
  await tx.run('INSERT INTO order_outbox (order_id, version, body, published) VALUES (?, ?, ?, ?)', [
    entry.key,
    entry.version,
    entry.body,
    entry.published ? 1 : 0,
  ]);
}

function sessionOn(sql: SqlClient): OutboxSession {
  return {
    async pending(limit) {
      const rows = await sql.rows<EntryRow>('SELECT seq, order_id, version, body FROM order_outbox WHERE published = 0 ORDER BY seq LIMIT ?', [limit]);
      return rows.map(toEntry);
    },
    async markPublished(seqs) {
      if (seqs.length === 0) return;
      await sql.run(`UPDATE order_outbox SET published = 1 WHERE seq IN (${placeholders(seqs.length)})`, [...seqs]);
    },
    async prunePublished(keep) {
      const row = await sql.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM order_outbox WHERE published = 1');
      const newest = row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
      if (newest === null || newest <= keep) return;
      await sql.run('DELETE FROM order_outbox WHERE published = 1 AND seq <= ?', [newest - keep]);
    },
  };
}

/** The outbox over either SQL adapter. */
export class SqlOrderOutbox implements OrderOutbox {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly sql: SqlClient) {}

  get sharedWithOtherWriters(): boolean {
    return this.sql.dialect === 'postgres';
  }

  async asPublisher(work: (session: OutboxSession) => Promise<void>): Promise<boolean> {
    if (this.sql.dialect === 'sqlite') {
      // One process serves an SQLite file, and its relay is one loop: nothing to exclude. A
      // transaction here would hold SQLite's write lock, and every request, while publishing.
      await work(sessionOn(this.sql));
      return true;
    }
    // PostgreSQL: every orders replica runs a relay; one publishes at a time, so per-order order
    // holds across replicas. The lock ends with the transaction, also when the process dies.
    return this.sql.transaction(async (tx) => {
      const row = await tx.get<{ got: boolean }>('SELECT pg_try_advisory_xact_lock(?) AS got', [PUBLISHER_LOCK]);
      if (!row?.got) return false;
      await work(sessionOn(tx));
      return true;
    });
  }

  onCommit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the relay a commit added to the outbox. */
  committed(): void {
    for (const listener of this.listeners) listener();
  }

  async recentlyPublished(limit: number): Promise<OutboxEntry[]> {
    const rows = await this.sql.rows<EntryRow>('SELECT seq, order_id, version, body FROM order_outbox WHERE published = 1 ORDER BY seq DESC LIMIT ?', [limit]);
    return rows.map(toEntry).reverse();
  }
}
