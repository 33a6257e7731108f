import { startNatsServer, type TestNatsServer } from '../support/nats-server';
import { startStack, type Stack } from '../support/stack';
import { connect, dispatcherParams, dispatcherSubscription, issueInput, waitUntil, type TestClient } from '../support/subscriptions';

const WATCH = `subscription AcrossReplicas($personId: ID) { protectiveOrderEvents(personId: $personId) { orderId type version } }`;
const ISSUE = /* GraphQL */ `
  mutation Issue($input: IssueProtectiveOrderInput!) {
    issueProtectiveOrder(input: $input) {
      id
    }
  }
`;

/** Issue 23, docs/design.md §8 decisions 26 and 29: every gateway replica delivers what any replica's writes produced. */
describe('subscriptions across two gateway replicas over NATS JetStream', () => {
  let nats: TestNatsServer;
  let stack: Stack;
  let replica: Awaited<ReturnType<Stack['addGateway']>>;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    nats = await startNatsServer();
    stack = await startStack({ persons: 100, env: { NATS_URL: nats.url } });
    replica = await stack.addGateway();
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.dispose().catch(() => undefined);
    await replica?.stop();
    await stack?.stop();
    await nats?.stop();
  }, 120_000);

  it('delivers on replica B the order the clerk issues through replica A', async () => {
    const c = connect(replica.gatewayUrl, await dispatcherParams(stack));
    clients.push(c);
    // Replica B attaches, then writes its subscribe record to the audit store both replicas share.
    const s = await dispatcherSubscription(stack, c.client, WATCH, 'AcrossReplicas', { personId: 'A10000007' });

    const issued = await stack.query('court-clerk', ISSUE, { input: issueInput('A10000007', 'FL-26-230777') });
    expect(issued.body.errors).toBeUndefined();
    const id = issued.body.data!.issueProtectiveOrder.id as string;

    await waitUntil('the event reaches replica B', () => s.events.length >= 1, 60_000);
    expect(s.events).toEqual([{ orderId: id, type: 'ISSUED', version: 1 }]);
  }, 180_000);
});
