import type { AuditRecord } from '../../../access-policy/src';
import { valueRows, type SqlClient, type SqlValue } from '../../../platform/src';

/** Rows per INSERT: well under both engines' parameter limits (4 parameters a row). */
const ROWS_PER_INSERT = 800;

/** How the index keeps up. */
export interface SubjectIndexOptions {
  /** Longest a committed record waits before its subjects are indexed. @default 500 */
  delayMs?: number;
  /** Index at once when this many rows are waiting. @default 20000 */
  maxPending?: number;
}

type IndexRow = [subject: string, at: string, chainId: string, seq: number];

/** The index's key order (subject, at, chain, seq), near enough: JavaScript compares UTF-16 units, SQLite bytes. */
function byIndexKey(a: IndexRow, b: IndexRow): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as string) < (b[i] as string) ? -1 : 1;
  return a[3] - b[3];
}

/**
 * "Who looked at this person" — the subject index — kept in bulk, behind the durable log.
 *
 * The index is keyed by subject, so the subjects of one record land on as many scattered b-tree
 * pages; written inside every durable commit, a wide answer (fifty persons with their orders and
 * alerts) made each commit write a hundred pages and cost the gateway more than the rest of the
 * request. The record itself (with its subjects) is what is durable and hash-chained; the index
 * is derived from it, so it is written here a moment later, many records in one transaction.
 *
 * Nothing is lost in between: `audit_index_progress` holds, per chain, the last record indexed,
 * in the same transaction as the rows; on open, records past it are indexed from their own
 * subjects (a crash loses only the waiting rows, never the records); and a query by subject
 * also matches the records past the mark by their subjects column (see `subjectClause`).
 */
export class SubjectIndex {
  private pending: IndexRow[] = [];
  private marks = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private readonly delayMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly sql: SqlClient,
    options: SubjectIndexOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 500;
    this.maxPending = options.maxPending ?? 20_000;
  }

  /** Records just committed: their subjects are indexed soon, with others. */
  committed(records: readonly AuditRecord[]): void {
    for (const r of records) {
      for (const subject of new Set(r.subjects)) this.pending.push([subject, r.at, r.chainId, r.seq]);
      this.marks.set(r.chainId, Math.max(this.marks.get(r.chainId) ?? 0, r.seq));
    }
    if (this.pending.length >= this.maxPending) void this.flush().catch(() => undefined);
    else this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.marks.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A failure keeps the rows waiting and tries again later; queries meanwhile read the records.
      void this.flush().catch(() => this.schedule());
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes every waiting row now (one transaction). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.writing) await this.writing;
    if (this.marks.size === 0) return;
    const rows = this.pending;
    const marks = this.marks;
    this.pending = [];
    this.marks = new Map();
    this.writing = this.write(rows, marks)
      .catch((error: Error) => {
        this.pending = rows.concat(this.pending);
        for (const [chain, seq] of marks) this.marks.set(chain, Math.max(this.marks.get(chain) ?? 0, seq));
        throw error;
      })
      .finally(() => (this.writing = null));
    await this.writing;
  }

  /** Indexes the records that a process which stopped abruptly left unindexed. */
  async catchUp(): Promise<void> {
    // The chains whose last written record is past their mark; only those are read.
    const lagging = await this.sql.all<{ chain_id: string; indexed_seq: number | null }>(
      `SELECT c.chain_id, p.indexed_seq FROM audit_chain_heads c LEFT JOIN audit_index_progress p ON p.chain_id = c.chain_id
       WHERE c.written_seq > COALESCE(p.indexed_seq, 0)`,
    );
    for (const chain of lagging) {
      const records = await this.sql.all<{ seq: number; at: string; subjects: string }>(
        'SELECT seq, at, subjects FROM audit_records WHERE chain_id = ? AND seq > ? ORDER BY seq',
        [chain.chain_id, Number(chain.indexed_seq ?? 0)],
      );
      this.committed(
        records.map((r) => ({ chainId: chain.chain_id, seq: Number(r.seq), at: r.at, subjects: JSON.parse(r.subjects) as string[] }) as AuditRecord),
      );
    }
    await this.flush();
  }

  private async write(rows: IndexRow[], marks: Map<string, number>): Promise<void> {
    // In key order, consecutive rows land on the same b-tree leaf: a wide answer's fifty persons,
    // repeated by every request, become fifty runs rather than rows scattered across the index
    // (about a fifth less CPU per row on SQLite). The order changes where rows are written, never
    // which; `rows` is this call's own array.
    rows.sort(byIndexKey);
    await this.sql.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const part = rows.slice(i, i + ROWS_PER_INSERT);
        // Another replica catching up may have indexed the same record: the rows are the same.
        await tx.run(
          `INSERT INTO audit_subject_index (subject, at, chain_id, seq) VALUES ${valueRows(part.length, '?, ?, ?, ?')} ON CONFLICT DO NOTHING`,
          part.flat(),
        );
      }
      for (const [chain, seq] of marks) {
        await tx.run(
          `INSERT INTO audit_index_progress (chain_id, indexed_seq) VALUES (?, ?)
           ON CONFLICT (chain_id) DO UPDATE SET indexed_seq = excluded.indexed_seq WHERE excluded.indexed_seq > audit_index_progress.indexed_seq`,
          [chain, seq],
        );
      }
    });
  }
}

/** A record's key in the log. */
export interface RecordKey {
  chainId: string;
  seq: number;
  at: string;
}

/**
 * The keys of the records that disclosed a subject: indexed records through the index (the
 * newest `limit` of them, when given), and the not-yet-indexed tail of each chain that lags by its
 * subjects column. The chains that lag are those whose last written seq is past their indexed
 * mark — two small tables compared, not a probe of every chain through every partition — read
 * *before* the index, so a record indexed meanwhile is found twice (once kept), never missed.
 * Its cost is the subject's records (or `limit`) and the lagging tails, whatever the log's size.
 */
export async function subjectKeys(
  sql: SqlClient,
  subject: string,
  range: { from: string | null; to: string | null; limit: number | null },
): Promise<RecordKey[]> {
  const lagging = await sql.all<{ chain_id: string; after: number }>(
    `SELECT c.chain_id, COALESCE(p.indexed_seq, 0) AS after FROM audit_chain_heads c
     LEFT JOIN audit_index_progress p ON p.chain_id = c.chain_id WHERE c.written_seq > COALESCE(p.indexed_seq, 0)`,
  );
  const bounds = (column: string) => {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    if (range.from) {
      clauses.push(`${column} >= ?`);
      params.push(range.from);
    }
    if (range.to) {
      clauses.push(`${column} < ?`);
      params.push(range.to);
    }
    return { sql: clauses.map((c) => ` AND ${c}`).join(''), params };
  };
  const indexedRange = bounds('at');
  const rows = await sql.all<{ chain_id: string; seq: number; at: string }>(
    `SELECT chain_id, seq, at FROM audit_subject_index WHERE subject = ?${indexedRange.sql}${range.limit === null ? '' : ' ORDER BY at DESC, chain_id, seq DESC LIMIT ?'}`,
    [subject, ...indexedRange.params, ...(range.limit === null ? [] : [range.limit])],
  );
  const contains = sql.dialect === 'postgres' ? 'strpos(subjects, ?) > 0' : 'instr(subjects, ?) > 0';
  for (const chain of lagging) {
    // The subjects column is a JSON array: the quoted id matches one element exactly.
    rows.push(
      ...(await sql.all<{ chain_id: string; seq: number; at: string }>(
        `SELECT chain_id, seq, at FROM audit_records WHERE chain_id = ? AND seq > ? AND ${contains}${indexedRange.sql}`,
        [chain.chain_id, Number(chain.after), JSON.stringify(subject), ...indexedRange.params],
      )),
    );
  }
  const keys = new Map<string, RecordKey>();
  for (const r of rows) keys.set(`${r.chain_id}\u0000${r.seq}\u0000${r.at}`, { chainId: r.chain_id, seq: Number(r.seq), at: r.at });
  return [...keys.values()];
}
