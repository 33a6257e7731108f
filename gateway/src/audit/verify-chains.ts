import type { AuditStore } from './audit-store';
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
  ok: boolean;
  /** Every record that does not check out, in sequence order (missing ones included). */
  bad: BadRecord[];
}

const PAGE = 2000;
/** A gap longer than this is named by its first and last sequence rather than record by record. */
const MAX_NAMED_PER_GAP = 1000;

/**
 * Recomputes one chain from its start (or its retention checkpoint) to its end: every seq present
 * and in order, every prevHash linking to the record before, every hash matching the record's
 * content. An edited record fails its hash; a deleted one leaves a gap; reordered or replaced ones
 * break the links. It goes on past a bad record, judging each next one against what is stored, so
 * a record an attacker spoiled on purpose cannot hide a real edit made after it (issue 17).
 */
export async function verifyChain(store: AuditStore, chainId: string): Promise<ChainVerification> {
  const checkpoint = await store.checkpoint(chainId);
  const bad: BadRecord[] = [];
  let expectedSeq = (checkpoint?.seq ?? 0) + 1;
  let prev = checkpoint?.hash ?? GENESIS_HASH;
  let count = 0;
  let after = checkpoint?.seq ?? 0;
  for (;;) {
    const page = await store.readChain(chainId, after, PAGE);
    for (const record of page) {
      count++;
      const gap = record.seq - expectedSeq;
      if (gap > 0) {
        const range = `records ${expectedSeq}–${record.seq - 1} are missing`;
        if (gap <= MAX_NAMED_PER_GAP) for (let seq = expectedSeq; seq < record.seq; seq++) bad.push({ seq, reason: `missing (${range})` });
        else bad.push({ seq: expectedSeq, reason: `missing (${range})` }, { seq: record.seq - 1, reason: `missing (${range})` });
      } else if (record.prevHash !== prev) {
        // After a gap the link cannot match: the gap already names what is wrong there.
        bad.push({ seq: record.seq, reason: `does not link to record ${record.seq - 1} (reordered, or one of the two was replaced)` });
      }
      const { hash, ...unhashed } = record;
      if (recordHash(unhashed) !== hash) bad.push({ seq: record.seq, reason: 'content does not match its hash (edited)' });
      // Judge the next record against what is stored, whatever this one's fault.
      prev = hash;
      expectedSeq = record.seq + 1;
      after = record.seq;
    }
    if (page.length < PAGE) break;
  }
  return { chainId, records: count, ok: bad.length === 0, bad };
}

/** Verifies every chain in the store. */
export async function verifyAllChains(store: AuditStore): Promise<{ ok: boolean; chains: ChainVerification[] }> {
  const chains: ChainVerification[] = [];
  for (const chainId of await store.chainIds()) chains.push(await verifyChain(store, chainId));
  return { ok: chains.every((c) => c.ok), chains };
}
