import type { AuditStore } from './audit-store';
import { GENESIS_HASH, recordHash } from './hash-chain';

/** The result of checking one chain. */
export interface ChainVerification {
  chainId: string;
  records: number;
  ok: boolean;
  /** The first record that does not check out, and why. */
  firstBad?: { seq: number; reason: string };
}

const PAGE = 2000;

/**
 * Recomputes one chain from its start (or its retention checkpoint): every seq present and in
 * order, every prevHash linking to the record before, every hash matching the record's content.
 * An edited record fails its hash; a deleted one leaves a gap; reordered ones break the links.
 */
export async function verifyChain(store: AuditStore, chainId: string): Promise<ChainVerification> {
  const checkpoint = await store.checkpoint(chainId);
  let expectedSeq = (checkpoint?.seq ?? 0) + 1;
  let prev = checkpoint?.hash ?? GENESIS_HASH;
  let count = 0;
  let after = checkpoint?.seq ?? 0;
  for (;;) {
    const page = await store.readChain(chainId, after, PAGE);
    for (const record of page) {
      count++;
      const bad = (reason: string): ChainVerification => ({ chainId, records: count, ok: false, firstBad: { seq: record.seq, reason } });
      if (record.seq !== expectedSeq) return bad(`expected seq ${expectedSeq}: records ${expectedSeq}–${record.seq - 1} are missing`);
      if (record.prevHash !== prev) return bad('does not link to the record before it (reordered, or a predecessor was replaced)');
      const { hash, ...unhashed } = record;
      if (recordHash(unhashed) !== hash) return bad('content does not match its hash (edited)');
      prev = hash;
      expectedSeq++;
      after = record.seq;
    }
    if (page.length < PAGE) break;
  }
  return { chainId, records: count, ok: true };
}

/** Verifies every chain in the store. */
export async function verifyAllChains(store: AuditStore): Promise<{ ok: boolean; chains: ChainVerification[] }> {
  const chains: ChainVerification[] = [];
  for (const chainId of await store.chainIds()) chains.push(await verifyChain(store, chainId));
  return { ok: chains.every((c) => c.ok), chains };
}
