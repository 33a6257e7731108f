import { NatsEventConsumer, NatsEventPublisher, openEventFeedConsumer, type EventFeedConfig, type EventFeedConsumer } from '../../platform/src/events';
import { PROTECTIVE_ORDER_FEED } from '../../schema/events/protective-order-feed';
import { receive } from '../support/event-feed';
import { startNatsServer, type TestNatsServer } from '../support/nats-server';
import { dropTestDatabases } from '../support/postgres';
import { startStack, STORE_KINDS, type Stack } from '../support/stack';

const ISSUE = `mutation Issue($input: IssueProtectiveOrderInput!) { issueProtectiveOrder(input: $input) { id version } }`;
const MODIFY = `mutation Modify($id: ID!, $v: Int!, $changes: ProtectiveOrderChanges!) { modifyProtectiveOrder(id: $id, expectedVersion: $v, changes: $changes) { version } }`;
const issueInput = (caseNumber: string) => ({
  caseNumber,
  court: 'LOS ANGELES SUPERIOR COURT',
  type: 'DVRO',
  restrainedPersonId: 'A10000006',
  protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, dateOfBirth: '1988-07-02', relationship: 'DATING', personId: 'A10000002' }],
  terms: { noContact: true, firearmsProhibited: true },
});
const natsConfig = (url: string, token: string | null = null): EventFeedConfig => ({
  nats: { servers: [url], token, maxAgeSeconds: 3600, maxBytes: 64 * 1024 * 1024 },
});

/** Issue 23: in production the feed is NATS JetStream, so every gateway replica delivers what any writer produced. */
describe.each(STORE_KINDS)('the event feed over NATS JetStream, on %s', (store) => {
  let nats: TestNatsServer;
  let stack: Stack;
  const consumers: EventFeedConsumer[] = [];
  const replica = () => {
    const c = openEventFeedConsumer(natsConfig(nats.url), PROTECTIVE_ORDER_FEED, {
      streamUrl: 'http://127.0.0.1:1/unused',
      internalTokenKey: new Uint8Array(32),
    });
    consumers.push(c);
    return c;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    stack = await startStack({ persons: 60, store, env: { NATS_URL: nats.url } });
  });
  afterAll(async () => {
    for (const c of consumers) await c.close();
    await stack?.stop();
    await nats?.stop();
    await dropTestDatabases();
  });

  it('delivers every committed change to each of two gateway replicas, in version order', async () => {
    expect(replica()).toBeInstanceOf(NatsEventConsumer);
    const [first, second] = [await receive(consumers[0]), await receive(replica())];
    const issued = await stack.query('court-clerk', ISSUE, { input: issueInput('FL-26-023010') });
    expect(issued.body.errors).toBeUndefined();
    const id = issued.body.data!.issueProtectiveOrder.id as string;
    for (let v = 1; v <= 3; v++)
      expect((await stack.query('court-clerk', MODIFY, { id, v, changes: { terms: { stayAwayYards: 100 + v } } })).body.errors).toBeUndefined();
    for (const r of [first, second]) {
      await r.until((x) => x.of(id).length >= 4);
      expect(r.of(id).map((e) => [e.version, e.type])).toEqual([
        [1, 'ISSUED'],
        [2, 'MODIFIED'],
        [3, 'MODIFIED'],
        [4, 'MODIFIED'],
      ]);
      expect(r.of(id)[0].personIds.sort()).toEqual(['A10000002', 'A10000006']);
    }
    await first.detach();
    await second.detach();
  });

  it('loses no event when the orders service is killed between commit and publish while NATS is down', async () => {
    const received = await receive(replica());
    const issued = await stack.query('court-clerk', ISSUE, { input: issueInput('FL-26-023011') });
    const id = issued.body.data!.issueProtectiveOrder.id as string;
    await received.until((r) => r.of(id).length === 1);

    // NATS goes away; the change commits (the relay cannot publish it); the orders process dies.
    await nats.kill();
    const modified = await stack.query('court-clerk', MODIFY, { id, v: 1, changes: { terms: { stayAwayYards: 500 } } });
    expect(modified.body.errors).toBeUndefined();
    expect(modified.body.data!.modifyProtectiveOrder.version).toBe(2);
    await stack.kill('orders', 'SIGKILL');

    // NATS comes back, then the orders service: its relay publishes what the outbox kept.
    await nats.start();
    expect(received.of(id)).toHaveLength(1);
    await stack.restart('orders');
    await received.until((r) => r.of(id).length === 2, 90_000);
    expect(received.of(id).map((e) => [e.version, e.type])).toEqual([
      [1, 'ISSUED'],
      [2, 'MODIFIED'],
    ]);
    await received.detach();
  }, 180_000);

  it('publishes an event once to the stream however often the relay retries it (message id per key and version)', async () => {
    const publisher = new NatsEventPublisher(natsConfig(nats.url).nats!, PROTECTIVE_ORDER_FEED);
    const received = await receive(replica());
    try {
      const event = {
        key: 'PO-999001',
        version: 1,
        body: JSON.stringify({ orderId: 'PO-999001', type: 'ISSUED', version: 1, at: new Date().toISOString(), personIds: [] }),
      };
      await publisher.publish(event);
      await publisher.publish(event);
      await publisher.publish({ ...event, version: 2, body: event.body.replace('"version":1', '"version":2').replace('ISSUED', 'MODIFIED') });
      await received.until((r) => r.of('PO-999001').length === 2);
      expect(received.deliveries.filter((d) => d.key === 'PO-999001').map((d) => d.version)).toEqual([1, 2]);
    } finally {
      await publisher.close();
      await received.detach();
    }
  });
});

/** A NATS that asks for a token (NATS_TOKEN): the feed's services present it, and nothing without it gets in. */
describe('the event feed over a NATS that requires a token', () => {
  let nats: TestNatsServer;
  beforeAll(async () => {
    nats = await startNatsServer({ token: 'feed-token-for-tests' });
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('publishes and consumes with the token, and refuses a publisher without it', async () => {
    const consumer = new NatsEventConsumer(natsConfig(nats.url, 'feed-token-for-tests').nats!, PROTECTIVE_ORDER_FEED);
    const withToken = new NatsEventPublisher(natsConfig(nats.url, 'feed-token-for-tests').nats!, PROTECTIVE_ORDER_FEED);
    const without = new NatsEventPublisher(natsConfig(nats.url).nats!, PROTECTIVE_ORDER_FEED);
    try {
      const received = await receive(consumer);
      const body = JSON.stringify({ orderId: 'PO-999101', type: 'ISSUED', version: 1, at: new Date().toISOString(), personIds: [] });
      await expect(without.publish({ key: 'PO-999100', version: 1, body })).rejects.toThrow();
      await withToken.publish({ key: 'PO-999101', version: 1, body });
      await received.until((r) => r.of('PO-999101').length === 1);
      expect(received.deliveries.map((d) => d.key)).toEqual(['PO-999101']);
    } finally {
      await without.close();
      await withToken.close();
      await consumer.close();
    }
  });
});
