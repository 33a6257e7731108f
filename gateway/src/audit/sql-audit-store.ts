import type { AuditOutcome, AuditRecord } from '../../../access-policy/src';
import { migrate, openSqlClient, placeholders, valueRows, type SqlClient, type SqlValue, type StoreLocation } from '../../../platform/src';
import { AUDIT_MIGRATIONS } from './audit-migrations';
import {
  TooManyAuditRecordsError,
  type AuditCheckpoint,
  type AuditFilter,
  type AuditStore,
  type BetweenOptions,
  type VerifiedCheckpoint,
  type VerifiedCheckpoints,
} from './audit-store';
import { SubjectIndex, subjectKeys, type SubjectIndexOptions } from './subject-index';

interface AuditRow {
  chain_id: string;
  seq: number;
  request_id: string;
  at: string;
  user_sub: string | null;
  user_name: string | null;
  ori: string | null;
  client: string | null;
  scopes: string;
  purpose: string | null;
  reason: string | null;
  operation_type: string | null;
  operation_name: string | null;
  document_hash: string | null;
  document: string | null;
  document_id: string | null;
  document_trust: string | null;
  trace_id: string | null;
  delivered_event: string | null;
  variables: string | null;
  outcome: AuditOutcome;
  denied_paths: string;
  error_codes: string;
  fields_resolved: string;
  subjects: string;
  source_address: string | null;
  user_agent: string | null;
  duration_ms: number;
  prev_hash: string;
  hash: string;
}

const COLUMNS = `chain_id, seq, request_id, at, user_sub, user_name, ori, client, scopes, purpose, reason, operation_type,
  operation_name, document_hash, document, document_id, document_trust, variables, outcome, denied_paths, error_codes, fields_resolved, subjects,
  source_address, user_agent, duration_ms, prev_hash, hash, trace_id, delivered_event`;
const COLUMN_COUNT = 30;

function toRecord(r: AuditRow): AuditRecord {
  return {
    chainId: r.chain_id,
    seq: Number(r.seq),
    requestId: r.request_id,
    at: r.at,
    userSub: r.user_sub,
    userName: r.user_name,
    ori: r.ori,
    client: r.client,
    scopes: JSON.parse(r.scopes) as string[],
    purpose: r.purpose,
    reason: r.reason,
    operationType: r.operation_type,
    operationName: r.operation_name,
    documentHash: r.document_hash,
    document: r.document,
    // NULL reads as absent (undefined), as the record was hashed.
    documentId: r.document_id ?? undefined,
    documentTrust: (r.document_trust as AuditRecord['documentTrust']) ?? undefined,
    traceId: r.trace_id ?? undefined,
    deliveredEvent: r.delivered_event ?? undefined,
    variables: r.variables === null ? null : (JSON.parse(r.variables) as Record<string, unknown>),
    outcome: r.outcome,
    deniedPaths: JSON.parse(r.denied_paths) as string[],
    errorCodes: JSON.parse(r.error_codes) as string[],
    fieldsResolved: JSON.parse(r.fields_resolved) as string[],
    subjects: JSON.parse(r.subjects) as string[],
    sourceAddress: r.source_address,
    userAgent: r.user_agent,
    durationMs: Number(r.duration_ms),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function toRow(r: AuditRecord): SqlValue[] {
  return [
    r.chainId,
    r.seq,
    r.requestId,
    r.at,
    r.userSub,
    r.userName,
    r.ori,
    r.client,
    JSON.stringify(r.scopes),
    r.purpose,
    r.reason,
    r.operationType,
    r.operationName,
    r.documentHash,
    r.document,
    r.documentId ?? null,
    r.documentTrust ?? null,
    r.variables === null ? null : JSON.stringify(r.variables),
    r.outcome,
    JSON.stringify(r.deniedPaths),
    JSON.stringify(r.errorCodes),
    JSON.stringify(r.fieldsResolved),
    JSON.stringify(r.subjects),
    r.sourceAddress,
    r.userAgent,
    r.durationMs,
    r.prevHash,
    r.hash,
    r.traceId ?? null,
    r.deliveredEvent ?? null,
  ];
}

/** Months of partitions made ahead of now: a month's margin past the next, whatever day the daily run falls on. */
const PARTITION_MONTHS_AHEAD = 2;
/** PostgreSQL's SQLSTATE for a row no partition accepts (check_violation). */
const NO_PARTITION_FOR_ROW = '23514';

/** A month partition's name, audit_records_pYYYYMM, and the first day after it ('YYYY-MM-DD'). */
function partitionEnd(name: string): string | null {
  const m = /^audit_records_p(\d{4})(\d{2})$/.exec(name);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)).toISOString().slice(0, 10);
}

/** Rows per INSERT statement: well under both engines' parameter limits (SQLite 32766, PostgreSQL 65535). */
const ROWS_PER_INSERT = 200;

/** The audit store over either SQL adapter: `audit.sqlite` under DATA_DIR (durable commits), or schema `audit`. */
export class SqlAuditStore implements AuditStore, VerifiedCheckpoints {
  private readonly subjectIndex: SubjectIndex;

  constructor(
    private readonly sql: SqlClient,
    indexOptions?: SubjectIndexOptions,
  ) {
    this.subjectIndex = new SubjectIndex(sql, indexOptions);
  }

  /**
   * Opens and migrates the audit store, and indexes what a process that stopped abruptly left
   * unindexed. SQLite commits are made durable (synchronous=FULL).
   */
  static async open(location: StoreLocation, poolSize?: number, indexOptions?: SubjectIndexOptions): Promise<SqlAuditStore> {
    const client = await openSqlClient(location, 'audit', { durable: true, poolSize });
    await migrate(client, AUDIT_MIGRATIONS);
    const store = new SqlAuditStore(client, indexOptions);
    await store.preparePartitions();
    await store.subjectIndex.catchUp();
    return store;
  }

  /**
   * PostgreSQL: creates this month's partitions and the next ones ahead of the writes (at
   * start-up, and daily with the retention run), so no request waits on DDL. SQLite: nothing.
   */
  async preparePartitions(now = new Date()): Promise<void> {
    if (this.sql.dialect !== 'postgres') return;
    const ahead = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + PARTITION_MONTHS_AHEAD, 1));
    await this.sql.get('SELECT audit_ensure_partitions(?, ?)', [now.toISOString(), ahead.toISOString()]);
  }

  async appendBatch(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const insert = () =>
      this.sql.transaction(async (tx) => {
        for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
          const chunk = records.slice(i, i + ROWS_PER_INSERT);
          await tx.run(`INSERT INTO audit_records (${COLUMNS}) VALUES ${valueRows(chunk.length, placeholders(COLUMN_COUNT))}`, chunk.flatMap(toRow));
        }
        const heads = new Map<string, number>();
        for (const r of records) heads.set(r.chainId, Math.max(heads.get(r.chainId) ?? 0, r.seq));
        await tx.run(
          `INSERT INTO audit_chain_heads (chain_id, written_seq) VALUES ${valueRows(heads.size, '?, ?')}
           ON CONFLICT (chain_id) DO UPDATE SET written_seq = excluded.written_seq WHERE excluded.written_seq > audit_chain_heads.written_seq`,
          [...heads].flat(),
        );
      });
    try {
      await insert();
    } catch (error) {
      // A record dated outside the months prepared (a clock far off, a store restored from
      // long ago): make its month, then write the batch again — never refuse it for want of one.
      if ((error as { code?: string }).code !== NO_PARTITION_FOR_ROW) throw error;
      const times = records.map((r) => r.at).sort();
      await this.sql.get('SELECT audit_ensure_partitions(?, ?)', [times[0], times[times.length - 1]]);
      await insert();
    }
    // Durable now; the subject index follows in bulk (subject-index.ts says why).
    this.subjectIndex.committed(records);
  }

  /** Writes the subject index rows still waiting (tests, and before closing). */
  flushSubjectIndex(): Promise<void> {
    return this.subjectIndex.flush();
  }

  async startChain(chainId: string, startedAt: string, host: string): Promise<void> {
    await this.sql.run('INSERT INTO audit_chains (chain_id, started_at, host) VALUES (?, ?, ?)', [chainId, startedAt, host]);
  }

  async chainIds(): Promise<string[]> {
    // The chains in the records too (one written without registering is still checked), found by
    // skipping through the key from one chain to the next: DISTINCT would read every record.
    const rows = await this.sql.all<{ chain_id: string }>(
      `WITH RECURSIVE seen (chain_id) AS (
         SELECT MIN(chain_id) FROM audit_records
         UNION ALL
         SELECT (SELECT MIN(r.chain_id) FROM audit_records r WHERE r.chain_id > seen.chain_id) FROM seen WHERE seen.chain_id IS NOT NULL
       )
       SELECT chain_id FROM audit_chains UNION SELECT chain_id FROM seen WHERE chain_id IS NOT NULL ORDER BY chain_id`,
    );
    return rows.map((r) => r.chain_id);
  }

  async readChain(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.sql.all<AuditRow>(`SELECT ${COLUMNS} FROM audit_records WHERE chain_id = ? AND seq > ? ORDER BY seq, at LIMIT ?`, [
      chainId,
      afterSeq,
      limit,
    ]);
    return rows.map(toRecord);
  }

  async lastRecord(chainId: string): Promise<AuditRecord | null> {
    const row = await this.sql.get<AuditRow>(`SELECT ${COLUMNS} FROM audit_records WHERE chain_id = ? ORDER BY seq DESC LIMIT 1`, [chainId]);
    return row ? toRecord(row) : null;
  }

  async checkpoint(chainId: string): Promise<AuditCheckpoint | null> {
    const row = await this.sql.get<{ chain_id: string; seq: number; hash: string; purged_before: string; at: string }>(
      'SELECT chain_id, seq, hash, purged_before, at FROM audit_checkpoints WHERE chain_id = ? ORDER BY seq DESC LIMIT 1',
      [chainId],
    );
    return row ? { chainId: row.chain_id, seq: Number(row.seq), hash: row.hash, purgedBefore: row.purged_before, at: row.at } : null;
  }

  async verifiedCheckpoints(): Promise<Map<string, VerifiedCheckpoint>> {
    const rows = await this.sql.all<{ chain_id: string; seq: number; hash: string; verified_at: string }>(
      `SELECT v.chain_id, v.seq, v.hash, v.verified_at FROM audit_verified v
       WHERE v.seq = (SELECT MAX(w.seq) FROM audit_verified w WHERE w.chain_id = v.chain_id)`,
    );
    return new Map(rows.map((r) => [r.chain_id, { chainId: r.chain_id, seq: Number(r.seq), hash: r.hash, verifiedAt: r.verified_at }]));
  }

  async chainHeads(): Promise<Map<string, number>> {
    const rows = await this.sql.all<{ chain_id: string; written_seq: number }>(
      `SELECT c.chain_id, COALESCE(h.written_seq, 0) AS written_seq FROM audit_chains c LEFT JOIN audit_chain_heads h ON h.chain_id = c.chain_id
       UNION SELECT chain_id, written_seq FROM audit_chain_heads`,
    );
    const heads = new Map<string, number>();
    for (const r of rows) heads.set(r.chain_id, Math.max(heads.get(r.chain_id) ?? 0, Number(r.written_seq)));
    return heads;
  }

  async recordVerified(checkpoints: readonly VerifiedCheckpoint[]): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (let i = 0; i < checkpoints.length; i += ROWS_PER_INSERT) {
        const part = checkpoints.slice(i, i + ROWS_PER_INSERT);
        await tx.run(
          `INSERT INTO audit_verified (chain_id, seq, hash, verified_at) VALUES ${valueRows(part.length, '?, ?, ?, ?')} ON CONFLICT DO NOTHING`,
          part.flatMap((c) => [c.chainId, c.seq, c.hash, c.verifiedAt]),
        );
      }
    });
  }

  async query(filter: AuditFilter): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: string, value: SqlValue) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.user) add('r.user_sub = ?', filter.user);
    if (filter.ori) add('r.ori = ?', filter.ori);
    if (filter.purpose) add('r.purpose = ?', filter.purpose);
    if (filter.outcome) add('r.outcome = ?', filter.outcome);
    if (filter.from) add('r.at >= ?', filter.from);
    if (filter.to) add('r.at < ?', filter.to);
    if (filter.subject) return this.queryBySubject(filter.subject, filter, where, params);
    params.push(filter.limit);
    const rows = await this.sql.all<AuditRow>(
      `SELECT ${COLUMNS.replace(/(\w+)/g, 'r.$1')} FROM audit_records r ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY r.at DESC, r.chain_id, r.seq DESC LIMIT ?`,
      params,
    );
    return rows.map(toRecord);
  }

  /**
   * A query by subject: the keys of the subject's records first (subject-index.ts), then those
   * records by key, with the other conditions. Two plain statements rather than one join: in one,
   * PostgreSQL's planner could not know how few keys there are, and read the whole log to join them.
   */
  private async queryBySubject(subject: string, filter: AuditFilter, where: string[], params: SqlValue[]): Promise<AuditRecord[]> {
    // Only time narrows the keys themselves: then the newest `limit` are all that can be answered.
    const narrowed = Boolean(filter.user || filter.ori || filter.purpose || filter.outcome);
    const keys = await subjectKeys(this.sql, subject, { from: filter.from ?? null, to: filter.to ?? null, limit: narrowed ? null : filter.limit });
    const key = this.sql.dialect === 'postgres' ? '?, ?::integer, ?' : '?, ?, ?';
    const records: AuditRecord[] = [];
    for (let i = 0; i < keys.length; i += ROWS_PER_INSERT) {
      const part = keys.slice(i, i + ROWS_PER_INSERT);
      // The keys' times again, as a list of constants: PostgreSQL prunes the months no key falls
      // in (it cannot from the row list) and reads the rest by their time index. Without it, on a
      // store of 20,000 records it scanned every partition and hash-joined: 9.5 ms, and 1.2 ms with.
      const times = [...new Set(part.map((k) => k.at))];
      const rows = await this.sql.all<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_records r WHERE (r.chain_id, r.seq, r.at) IN (VALUES ${valueRows(part.length, key)})
         AND r.at IN (${placeholders(times.length)})${where.map((w) => ` AND ${w}`).join('')}`,
        [...part.flatMap((k) => [k.chainId, k.seq, k.at]), ...times, ...params],
      );
      records.push(...rows.map(toRecord));
    }
    // Newest first, as every query answers (at DESC, chain_id, seq DESC).
    records.sort((a, b) => (a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.chainId !== b.chainId ? (a.chainId < b.chainId ? -1 : 1) : b.seq - a.seq));
    return records.slice(0, filter.limit);
  }

  async between(from: string, to: string, options: BetweenOptions = {}): Promise<AuditRecord[]> {
    const columns = options.withoutContent ? COLUMNS.replace(/\bdocument,/, 'NULL AS document,').replace(/\bvariables,/, 'NULL AS variables,') : COLUMNS;
    const cap = options.maxRecords;
    const rows = await this.sql.all<AuditRow>(
      `SELECT ${columns} FROM audit_records WHERE at >= ? AND at < ? ORDER BY at, chain_id, seq${cap ? ' LIMIT ?' : ''}`,
      cap ? [from, to, cap + 1] : [from, to],
    );
    if (cap && rows.length > cap) throw new TooManyAuditRecordsError(`the range holds more than ${cap} records`);
    return rows.map(toRecord);
  }

  async purgeBefore(before: string): Promise<number> {
    if (this.sql.dialect === 'postgres') return this.dropPartitionsBefore(before);
    return this.sql.transaction(async (tx) => {
      // For each chain, the last record to go: the checkpoint the first kept record must link to.
      const cuts = await tx.all<{ chain_id: string; seq: number }>('SELECT chain_id, MAX(seq) AS seq FROM audit_records WHERE at < ? GROUP BY chain_id', [
        before,
      ]);
      let removed = 0;
      if (cuts.length === 0) return 0;
      await tx.run('UPDATE audit_purge_gate SET open = 1 WHERE id = 1');
      for (const cut of cuts) {
        const last = await tx.get<{ hash: string }>('SELECT hash FROM audit_records WHERE chain_id = ? AND seq = ?', [cut.chain_id, cut.seq]);
        await tx.run('INSERT INTO audit_checkpoints (chain_id, seq, hash, purged_before, at) VALUES (?, ?, ?, ?, ?)', [
          cut.chain_id,
          cut.seq,
          last!.hash,
          before,
          new Date().toISOString(),
        ]);
        removed += (await tx.run('DELETE FROM audit_records WHERE chain_id = ? AND seq <= ?', [cut.chain_id, cut.seq])).changes;
      }
      // The subject index is keyed by subject: its old rows go by time, in one pass.
      await tx.run('DELETE FROM audit_subject_index WHERE at < ?', [before]);
      await tx.run('UPDATE audit_purge_gate SET open = 0 WHERE id = 1');
      return removed;
    });
  }

  /**
   * PostgreSQL retention: drops the month partitions (records and subject index) that end on or
   * before `before`, whole — no row is deleted one by one, so a month of a billion-a-year log goes
   * in a moment. Records of the month `before` falls in are kept until that month is past too (at
   * most a month longer than the retention period). First, per chain, a checkpoint at the last
   * record dropped, which verify continues from; a record kept in a later month with a seq below
   * it (a request that began before midnight and was sequenced after one that began after) goes
   * with its chain's dropped part, so what remains of each chain is one run. The daily run also
   * makes the months ahead.
   */
  private async dropPartitionsBefore(before: string): Promise<number> {
    await this.preparePartitions();
    return this.sql.transaction(async (tx) => {
      const partitions = await tx.all<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_records'::regclass`,
      );
      const doomed = partitions.map((p) => ({ name: p.name, end: partitionEnd(p.name) })).filter((p) => p.end !== null && p.end <= before);
      if (doomed.length === 0) return 0;
      // Every record before `cut` lies in a doomed partition: months without one never held a record.
      const cut = doomed.map((p) => p.end!).sort()[doomed.length - 1];
      const cuts = await tx.all<{ chain_id: string; seq: number; hash: string }>(
        `SELECT c.chain_id, x.seq, x.hash FROM (SELECT chain_id FROM audit_chains UNION SELECT chain_id FROM audit_chain_heads) c
         CROSS JOIN LATERAL (SELECT r.seq, r.hash FROM audit_records r WHERE r.chain_id = c.chain_id AND r.at < ? ORDER BY r.seq DESC LIMIT 1) x`,
        [cut],
      );
      let removed = Number((await tx.get<{ n: string }>('SELECT COUNT(*) AS n FROM audit_records WHERE at < ?', [cut]))!.n);
      const now = new Date().toISOString();
      await tx.run('UPDATE audit_purge_gate SET open = 1 WHERE id = 1');
      for (const c of cuts) {
        await tx.run('INSERT INTO audit_checkpoints (chain_id, seq, hash, purged_before, at) VALUES (?, ?, ?, ?, ?)', [c.chain_id, c.seq, c.hash, cut, now]);
        removed += (await tx.run('DELETE FROM audit_records WHERE chain_id = ? AND seq <= ? AND at >= ?', [c.chain_id, c.seq, cut])).changes;
      }
      await tx.run('UPDATE audit_purge_gate SET open = 0 WHERE id = 1');
      // Last: dropping a partition locks its parent until commit.
      for (const p of doomed) {
        await tx.exec(`DROP TABLE ${p.name}; DROP TABLE IF EXISTS ${p.name.replace('audit_records_p', 'audit_subject_index_p')}`);
      }
      return removed;
    });
  }

  ping(): Promise<void> {
    return this.sql.ping();
  }

  async close(): Promise<void> {
    await this.subjectIndex.flush().catch(() => undefined);
    await this.sql.close();
  }
}
