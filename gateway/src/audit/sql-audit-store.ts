import type { AuditOutcome, AuditRecord } from '../../../access-policy/src';
import { migrate, openSqlClient, placeholders, valueRows, type SqlClient, type SqlValue, type StoreLocation } from '../../../platform/src';
import { AUDIT_MIGRATIONS } from './audit-migrations';
import type { AuditCheckpoint, AuditFilter, AuditStore, VerifiedCheckpoint, VerifiedCheckpoints } from './audit-store';
import { SubjectIndex, subjectClause, type SubjectIndexOptions } from './subject-index';

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
  source_address, user_agent, duration_ms, prev_hash, hash`;
const COLUMN_COUNT = 28;

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
    r.chainId, r.seq, r.requestId, r.at, r.userSub, r.userName, r.ori, r.client, JSON.stringify(r.scopes), r.purpose, r.reason,
    r.operationType, r.operationName, r.documentHash, r.document, r.documentId ?? null, r.documentTrust ?? null, r.variables === null ? null : JSON.stringify(r.variables),
    r.outcome, JSON.stringify(r.deniedPaths), JSON.stringify(r.errorCodes), JSON.stringify(r.fieldsResolved), JSON.stringify(r.subjects),
    r.sourceAddress, r.userAgent, r.durationMs, r.prevHash, r.hash,
  ];
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
    await store.subjectIndex.catchUp();
    return store;
  }

  async appendBatch(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.sql.transaction(async (tx) => {
      for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
        const chunk = records.slice(i, i + ROWS_PER_INSERT);
        await tx.run(`INSERT INTO audit_records (${COLUMNS}) VALUES ${valueRows(chunk.length, placeholders(COLUMN_COUNT))}`, chunk.flatMap(toRow));
      }
    });
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
    const rows = await this.sql.all<{ chain_id: string }>(
      'SELECT chain_id FROM audit_chains UNION SELECT DISTINCT chain_id FROM audit_records ORDER BY chain_id',
    );
    return rows.map((r) => r.chain_id);
  }

  async readChain(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.sql.all<AuditRow>(`SELECT ${COLUMNS} FROM audit_records WHERE chain_id = ? AND seq > ? ORDER BY seq LIMIT ?`, [chainId, afterSeq, limit]);
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

  async verifiedCheckpoint(chainId: string): Promise<VerifiedCheckpoint | null> {
    const row = await this.sql.get<{ chain_id: string; seq: number; hash: string; verified_at: string }>(
      'SELECT chain_id, seq, hash, verified_at FROM audit_verified WHERE chain_id = ? ORDER BY seq DESC LIMIT 1',
      [chainId],
    );
    return row ? { chainId: row.chain_id, seq: Number(row.seq), hash: row.hash, verifiedAt: row.verified_at } : null;
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
    if (filter.subject) {
      const { clause, params: values } = subjectClause(this.sql.dialect, filter.subject);
      where.push(clause);
      params.push(...values);
    }
    if (filter.user) add('r.user_sub = ?', filter.user);
    if (filter.ori) add('r.ori = ?', filter.ori);
    if (filter.purpose) add('r.purpose = ?', filter.purpose);
    if (filter.outcome) add('r.outcome = ?', filter.outcome);
    if (filter.from) add('r.at >= ?', filter.from);
    if (filter.to) add('r.at < ?', filter.to);
    params.push(filter.limit);
    const rows = await this.sql.all<AuditRow>(
      `SELECT ${COLUMNS.replace(/(\w+)/g, 'r.$1')} FROM audit_records r ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY r.at DESC, r.chain_id, r.seq DESC LIMIT ?`,
      params,
    );
    return rows.map(toRecord);
  }

  async between(from: string, to: string): Promise<AuditRecord[]> {
    const rows = await this.sql.all<AuditRow>(`SELECT ${COLUMNS} FROM audit_records WHERE at >= ? AND at < ? ORDER BY at, chain_id, seq`, [from, to]);
    return rows.map(toRecord);
  }

  async purgeBefore(before: string): Promise<number> {
    return this.sql.transaction(async (tx) => {
      // For each chain, the last record to go: the checkpoint the first kept record must link to.
      const cuts = await tx.all<{ chain_id: string; seq: number }>(
        'SELECT chain_id, MAX(seq) AS seq FROM audit_records WHERE at < ? GROUP BY chain_id',
        [before],
      );
      let removed = 0;
      if (cuts.length === 0) return 0;
      await tx.run('UPDATE audit_purge_gate SET open = 1 WHERE id = 1');
      for (const cut of cuts) {
        const last = await tx.get<{ hash: string }>('SELECT hash FROM audit_records WHERE chain_id = ? AND seq = ?', [cut.chain_id, cut.seq]);
        await tx.run('INSERT INTO audit_checkpoints (chain_id, seq, hash, purged_before, at) VALUES (?, ?, ?, ?, ?)', [
          cut.chain_id, cut.seq, last!.hash, before, new Date().toISOString(),
        ]);
        removed += (await tx.run('DELETE FROM audit_records WHERE chain_id = ? AND seq <= ?', [cut.chain_id, cut.seq])).changes;
      }
      // The subject index is keyed by subject: its old rows go by time, in one pass.
      await tx.run('DELETE FROM audit_subject_index WHERE at < ?', [before]);
      await tx.run('UPDATE audit_purge_gate SET open = 0 WHERE id = 1');
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
