import { startStack, type Stack } from '../support/stack';
import { connect, dispatcherParams, dispatcherSubscription, issueInput, waitUntil, type TestClient } from '../support/subscriptions';

const WATCH = (name: string) =>
  `subscription ${name}($orderId: ID, $personId: ID) { protectiveOrderEvents(orderId: $orderId, personId: $personId) { orderId type version at } }`;
const ISSUE = /* GraphQL */ `
  mutation Issue($input: IssueProtectiveOrderInput!) {
    issueProtectiveOrder(input: $input) {
      id
      version
    }
  }
`;
const SERVE = /* GraphQL */ `
  mutation Serve($id: ID!, $v: Int!, $at: DateTime!) {
    recordProofOfService(id: $id, expectedVersion: $v, servedAt: $at, method: PERSONAL) {
      id
      version
    }
  }
`;

/** Issue 23 end to end: the order the clerk enters reaches a dispatcher's subscription through the orders outbox and the embedded feed. */
describe('subscriptions over the orders service embedded feed (processes)', () => {
  let stack: Stack;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    stack = await startStack({ persons: 100 });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose().catch(() => undefined);
    await stack?.stop();
  });

  it('tells a subscriber by person of the order issued against them and of its service, in version order', async () => {
    const c = connect(stack.gatewayUrl, await dispatcherParams(stack));
    clients.push(c);
    const byPerson = await dispatcherSubscription(stack, c.client, WATCH('FeedByPerson'), 'FeedByPerson', { personId: 'A10000006' });

    const issued = await stack.query('court-clerk', ISSUE, { input: issueInput('A10000006', 'FL-26-230001') });
    expect(issued.body.errors).toBeUndefined();
    const id = issued.body.data!.issueProtectiveOrder.id as string;
    const served = await stack.query('officer', SERVE, { id, v: 1, at: new Date().toISOString() });
    expect(served.body.errors).toBeUndefined();

    await waitUntil('both events arrive', () => byPerson.events.length >= 2, 60_000);
    expect(byPerson.events.map((e) => [e.orderId, e.type, e.version])).toEqual([
      [id, 'ISSUED', 1],
      [id, 'SERVED', 2],
    ]);
  });

  // Last: it stops the gateway.
  it('on SIGTERM closes subscribers with 1001 "Going away" and exits 0', async () => {
    const c = connect(stack.gatewayUrl, await dispatcherParams(stack));
    clients.push(c);
    await dispatcherSubscription(stack, c.client, WATCH('BeforeShutdown'), 'BeforeShutdown', { orderId: 'PO-000001' });

    const exitCode = await stack.kill('gateway', 'SIGTERM');

    expect(exitCode).toBe(0);
    expect(await c.closed).toEqual({ code: 1001, reason: 'Going away' });
  });
});
