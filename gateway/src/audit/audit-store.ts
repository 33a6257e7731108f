import type { AuditOutcome, AuditRecord } from '../../../access-policy/src';

/** What an auditor may ask for (docs/design.md §2 `auditEvents`). */
export interface AuditFilter {
  subject?: string | null;
  user?: string | null;
  ori?: string | null;
  purpose?: string | null;
  outcome?: AuditOutcome | null;
  from?: string | null;
  to?: string | null;
  limit: number;
}

/** A retention purge's mark: the records of a chain up to `seq` were removed; the next links to `hash`. */
export interface AuditCheckpoint {
  chainId: string;
  seq: number;
  hash: string;
  purgedBefore: string;
  at: string;
}

/**
 * The audit store port: append-only records in per-gateway chains. Nothing here updates or
 * deletes a record except `purgeBefore`, which leaves a checkpoint per chain it cuts.
 */
export interface AuditStore {
  /** Writes records in one transaction (group commit): all of them, or none. */
  appendBatch(records: readonly AuditRecord[]): Promise<void>;
  /** Registers a new chain. */
  startChain(chainId: string, startedAt: string, host: string): Promise<void>;
  chainIds(): Promise<string[]>;
  /** Records of a chain in seq order, from `afterSeq` (exclusive), at most `limit`. */
  readChain(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The last committed record of a chain, or null. */
  lastRecord(chainId: string): Promise<AuditRecord | null>;
  /** The latest checkpoint of a chain, if a purge cut it. */
  checkpoint(chainId: string): Promise<AuditCheckpoint | null>;
  /** Records matching a filter, newest first. */
  query(filter: AuditFilter): Promise<AuditRecord[]>;
  /**
   * Records at or after `from` and before `to`, oldest first (reports). For reports: without the
   * caller's document and variables (null in each record), and failing with
   * TooManyAuditRecordsError past `maxRecords`, so a report never holds a range whole in memory.
   */
  between(from: string, to: string, options?: BetweenOptions): Promise<AuditRecord[]>;
  /** Removes records older than `before` (retention), writing a checkpoint per chain cut. */
  purgeBefore(before: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Where a verify run found a chain intact: the next run resumes after `seq`, linking to `hash`. */
export interface VerifiedCheckpoint {
  chainId: string;
  seq: number;
  hash: string;
  verifiedAt: string;
}

/**
 * The verified checkpoints of `audit verify` (append-only, beside the records). Apart from the
 * store port: only the verify tool reads and writes them.
 */
export interface VerifiedCheckpoints {
  /** The latest verified checkpoint of each chain that has one. */
  verifiedCheckpoints(): Promise<Map<string, VerifiedCheckpoint>>;
  /**
   * Every chain registered or written to, with the seq of its last record as written with it
   * (0 when none): a chain whose last record is its checkpoint's has nothing new to read.
   */
  chainHeads(): Promise<Map<string, number>>;
  /** Records checkpoints (one already there is kept as it is). */
  recordVerified(checkpoints: readonly VerifiedCheckpoint[]): Promise<void>;
}

/** How a report reads a range of records. */
export interface BetweenOptions {
  /** Leave out each record's document and variables (the largest fields, which no detector reads). */
  withoutContent?: boolean;
  /** Refuse a range holding more records than this. */
  maxRecords?: number;
}

/** A range holds more records than a report may read at once. */
export class TooManyAuditRecordsError extends Error {
  override readonly name = 'TooManyAuditRecordsError';
}
