import type { AuditRecord } from '../../../access-policy/src';
import type { AuditStore, VerifiedCheckpoint, VerifiedCheckpoints } from './audit-store';
import { GENESIS_HASH, recordHash } from './hash-chain';

/** One record that does not check out, and why. */
export interface BadRecord {
  seq: number;
  reason: string;
}

/** The result of checking one chain, to its end. */
export interface ChainVerification {
  chainId: string;
  /** Records read. */
  records: number;
  /** The verified checkpoint this run resumed after (its seq), or null when it read from the start or the retention checkpoint. */
  resumedAfter: number | null;
  ok: boolean;
  /** Every record that does not check out, in sequence order (missing ones included). */
  bad: BadRecord[];
  /** Where the chain was found intact (its last record), for the next run to resume from; null when not intact or empty. */
  intactTo: VerifiedCheckpoint | null;
}

/** How a verify run reads. */
export interface VerifyOptions {
  /**
   * The verified checkpoints: an incremental run resumes after each chain's latest and records a
   * new one where a chain is intact to its end. Without them every run is a full run.
   */
  checkpoints?: VerifiedCheckpoints;
  /** Re-verify every chain from its start (or its retention checkpoint), ignoring verified checkpoints. @default false */
  full?: boolean;
  /** The time written on new checkpoints. @default now */
  now?: Date;
}

const PAGE = 2000;
/** A gap longer than this is named by its first and last sequence rather than record by record. */
const MAX_NAMED_PER_GAP = 1000;

/**
 * Reads a chain in pages. A page that is full ends short of its last seq, so two records sharing
 * a seq (which a partitioned store's key, which includes the time, does not refuse) are always
 * read together and the second is named as a duplicate.
 */
async function* chainPages(store: AuditStore, chainId: string, after: number): AsyncGenerator<AuditRecord[]> {
  for (;;) {
    const page = await store.readChain(chainId, after, PAGE);
    if (page.length < PAGE) {
      if (page.length > 0) yield page;
      return;
    }
    const lastSeq = page[page.length - 1].seq;
    const whole = page.filter((r) => r.seq !== lastSeq);
    // A page of one seq only (thousands of copies): take it as it is rather than loop.
    const out = whole.length > 0 ? whole : page;
    yield out;
    after = out[out.length - 1].seq;
  }
}

/**
 * Recomputes one chain from its start (or its retention checkpoint, or — incrementally — its
 * latest verified checkpoint) to its end: every seq present, once and in order, every prevHash
 * linking to the record before, every hash matching the record's content. An edited record fails
 * its hash; a deleted one leaves a gap; reordered or replaced ones break the links. It goes on
 * past a bad record, judging each next one against what is stored, so a record an attacker
 * spoiled on purpose cannot hide a real edit made after it (issue 17).
 */
export async function verifyChain(
  store: AuditStore,
  chainId: string,
  verified: VerifiedCheckpoint | null = null,
  now = new Date(),
): Promise<ChainVerification> {
  const retention = await store.checkpoint(chainId);
  // Resume from whichever is later: a purge may have cut past the last verified record.
  const resume = verified && verified.seq > (retention?.seq ?? 0) ? verified : null;
  const start = resume ?? retention;
  const bad: BadRecord[] = [];
  let expectedSeq = (start?.seq ?? 0) + 1;
  let prev = start?.hash ?? GENESIS_HASH;
  let count = 0;
  let last: AuditRecord | null = null;
  for await (const page of chainPages(store, chainId, start?.seq ?? 0)) {
    for (const record of page) {
      count++;
      const gap = record.seq - expectedSeq;
      if (gap < 0) {
        bad.push({ seq: record.seq, reason: 'duplicate (a second record with this sequence number)' });
      } else if (gap > 0) {
        const range = `records ${expectedSeq}–${record.seq - 1} are missing`;
        if (gap <= MAX_NAMED_PER_GAP) for (let seq = expectedSeq; seq < record.seq; seq++) bad.push({ seq, reason: `missing (${range})` });
        else bad.push({ seq: expectedSeq, reason: `missing (${range})` }, { seq: record.seq - 1, reason: `missing (${range})` });
      } else if (record.prevHash !== prev) {
        // After a gap the link cannot match: the gap already names what is wrong there.
        bad.push({ seq: record.seq, reason: `does not link to record ${record.seq - 1} (reordered, or one of the two was replaced)` });
      }
      const { hash, ...unhashed } = record;
      if (recordHash(unhashed) !== hash) bad.push({ seq: record.seq, reason: 'content does not match its hash (edited)' });
      // Judge the next record against what is stored, whatever this one's fault (a duplicate's
      // successor links to the first record of that seq).
      if (gap >= 0) prev = hash;
      expectedSeq = Math.max(expectedSeq, record.seq + 1);
      last = record;
    }
  }
  bad.sort((a, b) => a.seq - b.seq);
  const ok = bad.length === 0;
  const intactTo = ok && last ? { chainId, seq: last.seq, hash: last.hash, verifiedAt: now.toISOString() } : null;
  return { chainId, records: count, resumedAfter: resume?.seq ?? null, ok, bad, intactTo };
}

/**
 * Verifies every chain in the store. With `checkpoints`, each chain found intact to its end gets
 * a verified checkpoint, and (unless `full`) each chain is read only after its latest one — so a
 * daily run costs the day's records. A chain with a bad record gets no checkpoint: every next run
 * reads it again from before the fault, and names it again.
 */
export async function verifyAllChains(store: AuditStore, options: VerifyOptions = {}): Promise<{ ok: boolean; chains: ChainVerification[] }> {
  const chains: ChainVerification[] = [];
  const now = options.now ?? new Date();
  const incremental = options.checkpoints && !options.full ? options.checkpoints : null;
  const verified = incremental ? await incremental.verifiedCheckpoints() : new Map<string, VerifiedCheckpoint>();
  // Incremental: the chains and their heads from two small tables (a chain whose head is its
  // checkpoint — every chain of a gateway that has stopped — is not read at all). Full: every
  // chain the records hold, found through the records themselves, so one written by hand with
  // no head is read too.
  const heads = incremental ? await incremental.chainHeads() : null;
  for (const chainId of heads ? [...heads.keys()].sort() : await store.chainIds()) {
    const checkpoint = verified.get(chainId) ?? null;
    if (checkpoint && heads && heads.get(chainId)! <= checkpoint.seq)
      chains.push({ chainId, records: 0, resumedAfter: checkpoint.seq, ok: true, bad: [], intactTo: checkpoint });
    else chains.push(await verifyChain(store, chainId, checkpoint, now));
  }
  if (options.checkpoints) {
    // Only where the run read something new: an idle chain keeps the checkpoint it has.
    const fresh = chains.filter((c) => c.intactTo && c.intactTo.seq !== c.resumedAfter).map((c) => c.intactTo!);
    await options.checkpoints.recordVerified(fresh);
  }
  return { ok: chains.every((c) => c.ok), chains };
}
