import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AuditEntry, AuditRecord } from '../../../access-policy/src';
import type { Logger } from '../../../platform/src';
import type { GatewayMetrics } from '../observability/metrics';
import type { AuditStore } from './audit-store';
import { GENESIS_HASH, recordHash } from './hash-chain';
import { ESCAPED_RECORD_CODE, safeRecordForm } from './safe-record-form';

interface Pending {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: Error) => void;
}

/** Thrown to callers when their record could not be committed. */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';
}

/** Options of the writer. */
export interface AuditWriterOptions {
  /** Most records committed in one transaction. @default 500 */
  maxBatch?: number;
  logger: Logger;
  /** Counts every record, each commit's latency and size, and failures. */
  metrics?: GatewayMetrics;
}

/**
 * Appends audit records to this gateway's own hash chain with group commit: every caller waits
 * for its own record to be committed, but records arriving while a commit runs are written
 * together in the next one, so under load the audit costs one transaction per batch rather than
 * one per request. A failed commit rejects every record in it and leaves the chain where it was,
 * so nothing half-written is ever linked to.
 */
export class AuditWriter {
  readonly chainId: string;
  private seq = 0;
  private prevHash = GENESIS_HASH;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly maxBatch: number;
  private readonly logger: Logger;
  private readonly metrics: GatewayMetrics | undefined;
  private started = false;
  /** Set after a failed commit: the store may hold more of the chain than we think (a commit whose answer was lost). */
  private resync = false;
  private lastAnchor = 0;

  constructor(
    private readonly store: AuditStore,
    options: AuditWriterOptions,
  ) {
    this.chainId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.maxBatch = options.maxBatch ?? 500;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.metrics?.watchAuditQueue(() => this.queue.length);
  }

  /** Registers this process's chain. Call once before appending. */
  async start(): Promise<void> {
    await this.store.startChain(this.chainId, new Date().toISOString(), hostname());
    this.started = true;
  }

  /** Commits one entry; resolves with its record once it is durable, rejects with AuditUnavailableError otherwise. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    if (!this.started) return Promise.reject(new AuditUnavailableError('audit writer not started'));
    // Every request has exactly one record, so this is where requests are counted.
    this.metrics?.operationAudited(entry);
    return new Promise<AuditRecord>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  /** Resolves when everything queued so far is committed (or has failed). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** The chain's head: the last committed record's seq and hash. */
  head(): { chainId: string; seq: number; hash: string } {
    return { chainId: this.chainId, seq: this.seq, hash: this.prevHash };
  }

  private async flushLoop(): Promise<void> {
    // Let the requests of this tick join the batch.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        if (this.resync && !(await this.resyncHead())) {
          this.fail(batch, 'the audit store does not answer');
          continue;
        }
        const records = this.link(batch.map((p) => p.entry));
        const began = performance.now();
        try {
          await this.store.appendBatch(records);
          this.metrics?.auditCommitted((performance.now() - began) / 1000, records.length);
        } catch (error) {
          // One record the store refuses must not cost the others their answers (issue 17):
          // write them one at a time, the refused one in its safe form.
          await this.commitOneByOne(batch, error as Error);
          continue;
        }
        this.advance(records[records.length - 1]);
        batch.forEach((p, i) => p.resolve(records[i]));
        this.anchor();
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Places entries in the chain after its head, each linked to the one before. */
  private link(entries: readonly AuditEntry[]): AuditRecord[] {
    const records: AuditRecord[] = [];
    let seq = this.seq;
    let prev = this.prevHash;
    for (const entry of entries) {
      // One object per record, its hash added once computed (this runs for every request).
      const record = { ...entry, chainId: this.chainId, seq: ++seq, prevHash: prev } as AuditRecord;
      record.hash = recordHash(record);
      records.push(record);
      prev = record.hash;
    }
    return records;
  }

  private advance(last: AuditRecord): void {
    this.seq = last.seq;
    this.prevHash = last.hash;
  }

  /**
   * After a group commit failed: each record alone, then, if the store refuses it, in its safe
   * form (safe-record-form.ts). A record refused in both forms means the store itself is failing:
   * it and every record after it are refused, and the head is re-read before the next commit.
   */
  private async commitOneByOne(batch: readonly Pending[], batchError: Error): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i];
      let committed: AuditRecord | null = null;
      for (const entry of [p.entry, safeRecordForm(p.entry)]) {
        const [record] = this.link([entry]);
        const began = performance.now();
        try {
          await this.store.appendBatch([record]);
          this.metrics?.auditCommitted((performance.now() - began) / 1000, 1);
          committed = record;
          break;
        } catch {
          // Try the safe form, or give up below.
        }
      }
      if (!committed) {
        this.fail(batch.slice(i), batchError.message);
        return;
      }
      if (committed.errorCodes.includes(ESCAPED_RECORD_CODE)) {
        this.logger.warn(
          { alert: 'AUDIT_RECORD_ESCAPED', chainId: this.chainId, seq: committed.seq, requestId: committed.requestId, reason: batchError.message },
          'audit record written in its safe form',
        );
      }
      this.advance(committed);
      p.resolve(committed);
    }
    this.anchor();
  }

  /** Rejects records that could not be committed: their callers get no data (fail closed). */
  private fail(batch: readonly Pending[], reason: string): void {
    // AU-5: a logging failure is an operator alert at once; callers get no data.
    this.logger.fatal({ alert: 'AUDIT_WRITE_FAILED', chainId: this.chainId, records: batch.length, reason }, 'audit write failed: responses withheld');
    this.resync = true;
    this.metrics?.auditFailed(batch.length);
    const failure = new AuditUnavailableError('the audit record could not be committed');
    for (const p of batch) p.reject(failure);
  }

  /**
   * Re-reads the chain head from the store after a failure (a commit whose answer was lost may
   * have landed). False while the store does not answer: nothing is linked to a head not known.
   */
  private async resyncHead(): Promise<boolean> {
    try {
      const last = await this.store.lastRecord(this.chainId);
      this.seq = last?.seq ?? 0;
      this.prevHash = last?.hash ?? GENESIS_HASH;
      this.resync = false;
      this.logger.warn({ alert: 'AUDIT_RECOVERED', ...this.head() }, 'audit store answers again');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Writes the chain head to the operator log about once a minute. Shipped off the machine, these
   * lines anchor the chain outside the database: cutting its tail would contradict them.
   */
  private anchor(): void {
    const now = Date.now();
    if (now - this.lastAnchor < 60_000) return;
    this.lastAnchor = now;
    this.logger.info({ audit: 'chain-head', ...this.head() }, 'audit chain head');
  }
}
