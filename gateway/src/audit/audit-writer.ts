import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AuditEntry, AuditRecord } from '../../../access-policy/src';
import type { Logger } from '../../../platform/src';
import type { AuditStore } from './audit-store';
import { GENESIS_HASH, recordHash } from './hash-chain';

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
  }

  /** Registers this process's chain. Call once before appending. */
  async start(): Promise<void> {
    await this.store.startChain(this.chainId, new Date().toISOString(), hostname());
    this.started = true;
  }

  /** Commits one entry; resolves with its record once it is durable, rejects with AuditUnavailableError otherwise. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    if (!this.started) return Promise.reject(new AuditUnavailableError('audit writer not started'));
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
        if (this.resync) await this.resyncHead();
        const batch = this.queue.splice(0, this.maxBatch);
        const records: AuditRecord[] = [];
        let seq = this.seq;
        let prev = this.prevHash;
        for (const { entry } of batch) {
          // One object per record, its hash added once computed (this runs for every request).
          const record = { ...entry, chainId: this.chainId, seq: ++seq, prevHash: prev } as AuditRecord;
          record.hash = recordHash(record);
          records.push(record);
          prev = record.hash;
        }
        try {
          await this.store.appendBatch(records);
        } catch (error) {
          // AU-5: a logging failure is an operator alert at once; callers get no data.
          this.logger.fatal({ alert: 'AUDIT_WRITE_FAILED', chainId: this.chainId, records: batch.length, reason: (error as Error).message }, 'audit write failed: responses withheld');
          this.resync = true;
          const failure = new AuditUnavailableError('the audit record could not be committed');
          for (const p of batch) p.reject(failure);
          continue;
        }
        this.seq = seq;
        this.prevHash = prev;
        batch.forEach((p, i) => p.resolve(records[i]));
        this.anchor();
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Re-reads the chain head from the store after a failure; stays in resync mode while the store is down. */
  private async resyncHead(): Promise<void> {
    try {
      const last = await this.store.lastRecord(this.chainId);
      this.seq = last?.seq ?? 0;
      this.prevHash = last?.hash ?? GENESIS_HASH;
      this.resync = false;
      this.logger.warn({ alert: 'AUDIT_RECOVERED', ...this.head() }, 'audit store answers again');
    } catch {
      // Still down: the next commit fails too, and its callers get no data.
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
