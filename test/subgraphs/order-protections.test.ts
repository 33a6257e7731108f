import { graphql } from 'graphql';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisclosureLog, fixedClock, type PeerAccess, type PeerResult } from '../../platform/src';
import { buildSubgraphExecutableSchema } from '../../platform/src/subgraph/serve-subgraph';
import { buildFixtures } from '../../seed/src/fixtures';
import { SUBGRAPHS } from '../../subgraphs';
import type { OrdersStore } from '../../subgraphs/orders/src/store/orders-store';
import { FIXTURE_T, personaCaller } from '../support/subgraph-harness';

type Recorded = { orderId: string; protections: Array<{ personId: string; inForceUntil: string | null }>; replacing: string | null };

/**
 * docs/design.md §4 rule 11, where orders keeps criminal-history told whom an order protects: every
 * change reaches it in an order that never leaves a protected party's address open, and a
 * registry that cannot be told stops an issue rather than let it through.
 */
describe('orders tells criminal-history whom an order protects (rule 11)', () => {
  let store: OrdersStore;
  const schema = buildSubgraphExecutableSchema(SUBGRAPHS.orders);
  const clock = fixedClock(FIXTURE_T);
  beforeAll(async () => {
    store = await SUBGRAPHS.orders.openStore({ kind: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'custodian-order-protections-')) });
    await store.insertSeed(buildFixtures(FIXTURE_T).orders);
  });
  afterAll(() => store?.close());

  /** A criminal-history peer that knows every SID and records (or refuses to record) protections. */
  const registry = (refuseProtections: boolean) => {
    const recorded: Recorded[] = [];
    const peers: PeerAccess = {
      has: (peer) => peer === 'criminal-history',
      async call(_peer, query, variables): Promise<PeerResult> {
        if (query.includes('_entities')) return { data: { _entities: (variables!.r as Array<{ id: string }>).map((r) => ({ id: r.id })) } };
        if (refuseProtections) return { errors: [{ message: 'Not authorised', extensions: { code: 'FORBIDDEN' } }] };
        recorded.push(variables as Recorded);
        return { data: { recordAddressProtections: true } };
      },
    };
    return { peers, recorded };
  };
  const run = async (peers: PeerAccess, source: string) => {
    const caller = personaCaller('court-clerk');
    const contextValue = { caller, store, clock, disclosure: new DisclosureLog(), peers, loaders: SUBGRAPHS.orders.createLoaders(store, caller, clock) };
    return (await graphql({ schema, source, contextValue })) as { data?: any; errors?: any[] };
  };
  const EXPIRES = '2027-06-15T12:00:00.000Z';
  const issue = `mutation { issueProtectiveOrder(input: {
    caseNumber: "FL-26-777001", court: "LOS ANGELES SUPERIOR COURT", type: DVRO, restrainedPersonId: "A10000007",
    protectedParties: [{ name: { last: "LEE", first: "SARAH" }, relationship: DATING, personId: "A10000006" }, { name: { last: "LEE", first: "ANN" }, relationship: CHILD }],
    terms: { noContact: true, firearmsProhibited: true }, expiresAt: "${EXPIRES}" }) { id version } }`;

  it('issues nothing when criminal-history cannot be told whom the order protects', async () => {
    const before = await store.countOrders();
    const { peers } = registry(true);
    const r = await run(peers, issue);
    expect(r.errors!.map((e) => e.extensions.code)).toEqual(['SOURCE_UNAVAILABLE']);
    expect(await store.countOrders()).toBe(before);
  });

  it('closes the address before the order exists, then moves it under the order id; a new expiry moves the end, the later one first; termination ends it', async () => {
    const { peers, recorded } = registry(false);
    const issued = await run(peers, issue);
    expect(issued.errors).toBeUndefined();
    const { id } = issued.data.issueProtectiveOrder;
    // Only the linked party (the other has no SID); provisional key first, then the order's id replacing it.
    expect(recorded).toEqual([
      { orderId: 'PENDING:test', protections: [{ personId: 'A10000006', inForceUntil: EXPIRES }], replacing: null },
      { orderId: id, protections: [{ personId: 'A10000006', inForceUntil: EXPIRES }], replacing: 'PENDING:test' },
    ]);

    recorded.length = 0;
    const shorter = '2026-12-01T00:00:00.000Z';
    const modified = await run(peers, `mutation { modifyProtectiveOrder(id: "${id}", expectedVersion: 1, changes: { expiresAt: "${shorter}" }) { version } }`);
    expect(modified.errors).toBeUndefined();
    expect(recorded.map((x) => x.protections[0].inForceUntil)).toEqual([EXPIRES, shorter]);

    recorded.length = 0;
    const terminated = await run(peers, `mutation { terminateProtectiveOrder(id: "${id}", expectedVersion: 2, reason: "DISSOLVED") { status } }`);
    expect(terminated.data.terminateProtectiveOrder).toEqual({ status: 'TERMINATED' });
    expect(recorded).toEqual([{ orderId: id, protections: [{ personId: 'A10000006', inForceUntil: FIXTURE_T.toISOString() }], replacing: null }]);
  });

  it('changes no expiry it cannot tell criminal-history of, and changes terms without asking it', async () => {
    const { peers: refusing } = registry(true);
    const [po1] = await store.ordersByIds(['PO-000001']);
    const r = await run(
      refusing,
      `mutation { modifyProtectiveOrder(id: "PO-000001", expectedVersion: ${po1.version}, changes: { expiresAt: "2031-01-01T00:00:00.000Z" }) { version } }`,
    );
    expect(r.errors!.map((e) => e.extensions.code)).toEqual(['SOURCE_UNAVAILABLE']);
    expect((await store.ordersByIds(['PO-000001']))[0].version).toBe(po1.version);

    const { peers, recorded } = registry(false);
    const terms = await run(
      peers,
      `mutation { modifyProtectiveOrder(id: "PO-000001", expectedVersion: ${po1.version}, changes: { terms: { stayAwayYards: 150 } }) { version } }`,
    );
    expect(terms.errors).toBeUndefined();
    expect(recorded).toEqual([]);
  });
});
