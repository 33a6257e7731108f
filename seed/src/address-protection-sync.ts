import { ADDRESS_PROTECTIONS_META, type CriminalHistoryStore } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
import type { OrdersStore } from '../../subgraphs/orders/src/store/orders-store';

/** Links read and written per statement batch: a page of the orders' parties. */
const PAGE = 1000;

/**
 * Tells a criminal-history store whom every order protects, read from the orders store, and marks
 * its protections known (docs/design.md §4 rule 11). For a store from before protections were kept: until
 * this has run, every address there counts as confidential. Idempotent; the seed runs it at start
 * and `npm run db:migrate` with the migrations.
 * @returns the protections written, or null when the store knew them already
 */
export async function syncAddressProtections(orders: OrdersStore, criminalHistory: CriminalHistoryStore): Promise<number | null> {
  if (await criminalHistory.addressProtectionsKnown()) return null;
  let after: { orderId: string; seq: number } | null = null;
  let written = 0;
  for (;;) {
    const links = await orders.protectedPartyLinks(after, PAGE);
    if (links.length === 0) break;
    await criminalHistory.loadAddressProtections(links.map((l) => ({ personId: l.personId, orderId: l.orderId, inForceUntil: l.inForceUntil })));
    written += links.length;
    const last = links[links.length - 1];
    after = { orderId: last.orderId, seq: last.seq };
  }
  await criminalHistory.setMeta(ADDRESS_PROTECTIONS_META, `synced ${new Date().toISOString()}`);
  return written;
}
