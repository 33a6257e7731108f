import { INTERNAL_ALGORITHM } from '../../access-policy/src';
import { importKey, readJwk, SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { eventStreamUrl, openEventFeedConsumer, type EventFeedConsumer } from '../../platform/src/events';
import { PROTECTIVE_ORDER_FEED } from '../../schema/events/protective-order-feed';
import { SqlOrdersStore } from '../../subgraphs/orders/src/store/sql-orders-store';
import { receive } from '../support/event-feed';
import { dropTestDatabases } from '../support/postgres';
import { startStack, STORE_KINDS, type Stack } from '../support/stack';

const ISSUE = `mutation Issue($input: IssueProtectiveOrderInput!) { issueProtectiveOrder(input: $input) { id version } }`;
const MODIFY = `mutation Modify($id: ID!, $v: Int!, $changes: ProtectiveOrderChanges!) { modifyProtectiveOrder(id: $id, expectedVersion: $v, changes: $changes) { version } }`;
const CLERK = { sub: 'u-clerk-3001', name: 'Clerk', ori: 'CA019015J' };

/** Issue 23: a writer killed between commit and publish loses no event (embedded transport, separate processes). */
describe.each(STORE_KINDS)('the embedded event feed across an orders crash, on %s', (store) => {
  let stack: Stack;
  let consumer: EventFeedConsumer;

  beforeAll(async () => {
    stack = await startStack({ persons: 60, store });
    const key = await importKey(readJwk(sandboxKeyFiles(stack.dataDir, SANDBOX_KEYS.internalToken).privateFile), INTERNAL_ALGORITHM);
    consumer = openEventFeedConsumer({ nats: null }, PROTECTIVE_ORDER_FEED, {
      streamUrl: eventStreamUrl(stack.subgraphUrls.orders, PROTECTIVE_ORDER_FEED),
      internalTokenKey: key,
    });
  });
  afterAll(async () => {
    await consumer?.close();
    await stack?.stop();
    await dropTestDatabases();
  });

  it('delivers an event committed while the orders service was down, and every event after its restart, in order, each once after dedupe', async () => {
    const received = await receive(consumer);
    const issued = await stack.query('court-clerk', ISSUE, {
      input: {
        caseNumber: 'FL-26-023002',
        court: 'LOS ANGELES SUPERIOR COURT',
        type: 'DVRO',
        restrainedPersonId: 'A10000006',
        protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, dateOfBirth: '1988-07-02', relationship: 'DATING', personId: 'A10000002' }],
        terms: { noContact: true, firearmsProhibited: true },
      },
    });
    expect(issued.body.errors).toBeUndefined();
    const id = issued.body.data!.issueProtectiveOrder.id as string;
    await received.until((r) => r.of(id).length === 1);

    // The orders process dies; a writer commits and dies before any relay publishes (its outbox row stays unpublished).
    await stack.kill('orders', 'SIGKILL');
    const location = stack.env.DATABASE_URL
      ? ({ kind: 'postgres', url: stack.env.DATABASE_URL } as const)
      : ({ kind: 'sqlite', dataDir: stack.dataDir } as const);
    const writer = await SqlOrdersStore.open(location);
    await writer.append(id, 1, new Date().toISOString(), CLERK, { type: 'MODIFIED', terms: { stayAwayYards: 250 } });
    await writer.close();

    await stack.restart('orders');
    await received.until((r) => r.of(id).length === 2);
    const modified = await stack.query('court-clerk', MODIFY, { id, v: 2, changes: { terms: { stayAwayYards: 300 } } });
    expect(modified.body.errors).toBeUndefined();
    await received.until((r) => r.of(id).length === 3);
    expect(received.of(id).map((e) => [e.version, e.type])).toEqual([
      [1, 'ISSUED'],
      [2, 'MODIFIED'],
      [3, 'MODIFIED'],
    ]);
  });
});
