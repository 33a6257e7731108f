import type { StoreLocation } from '../platform/src';
import type { SubjectDirectory } from '../gateway/src/audit/misuse-report';
import type { SubjectFacts } from '../gateway/src/audit/misuse-signals';
import { SUBGRAPHS } from '../subgraphs';

/**
 * The directory over the criminal-history and orders stores, for `npm run -s audit -- report`. The
 * report is an operator's tool: it reads names, addresses and order parties to find connections,
 * and prints only ids. It lives beside the CLI, not in the gateway, which never opens a
 * subgraph's store (docs/design.md §1).
 */
export async function openSubjectDirectory(location: StoreLocation): Promise<SubjectDirectory> {
  const persons = await SUBGRAPHS['criminal-history'].openStore(location);
  const orders = await SUBGRAPHS.orders.openStore(location);
  return {
    async facts(ids) {
      const out = new Map<string, SubjectFacts>();
      if (ids.length === 0) return out;
      const addresses = new Map((await persons.personDetailsByIds(ids)).map((d) => [d.personId, d.lastKnownAddress]));
      // Protected now: the report reads for a window that ends about now, and the flag only widens what it looks at.
      const confidential = new Set(await persons.personsWithConfidentialAddress(ids, new Date().toISOString()));
      for (const p of await persons.personsByIds(ids)) {
        const a = addresses.get(p.id);
        out.set(p.id, {
          lastName: p.name.last,
          addressKey: a?.street && a.postalCode ? `${a.street}|${a.postalCode}`.toUpperCase() : null,
          orderParties: new Set(),
          confidentialAddress: confidential.has(p.id),
        });
      }
      const related = [...(await orders.ordersByRestrainedPersonIds(ids)), ...(await orders.ordersProtectingPersonIds(ids)).map((x) => x.order)];
      const parties = await orders.partiesByOrderIds([...new Set(related.map((o) => o.id))]);
      for (const order of related) {
        const members = [order.restrainedPersonId, ...parties.filter((p) => p.orderId === order.id && p.personId).map((p) => p.personId!)];
        for (const m of members) for (const other of members) if (m !== other) out.get(m)?.orderParties.add(other);
      }
      return out;
    },
    async close() {
      await persons.close();
      await orders.close();
    },
  };
}
