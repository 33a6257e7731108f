import { findPersona } from '../../access-policy/src';
import { startStack, type Stack } from '../support/stack';
import { connect, subscribe, waitUntil, type TestClient, type TestSubscription } from '../support/subscriptions';

const WATCH = (name: string) => `subscription ${name}($orderId: ID, $personId: ID) { protectiveOrderEvents(orderId: $orderId, personId: $personId) { orderId type version at } }`;
const ISSUE = /* GraphQL */ `mutation Issue($input: IssueProtectiveOrderInput!) { issueProtectiveOrder(input: $input) { id version } }`;
const SERVE = /* GraphQL */ `mutation Serve($id: ID!, $v: Int!, $at: DateTime!) { recordProofOfService(id: $id, expectedVersion: $v, servedAt: $at, method: PERSONAL) { id version } }`;

/** An order against `restrained`, protecting A10000002, as a court clerk enters it. */
export const issueInput = (restrained: string, caseNumber: string) => ({
  caseNumber,
  court: 'LOS ANGELES SUPERIOR COURT',
  type: 'DVRO',
  restrainedPersonId: restrained,
  protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, dateOfBirth: '1988-07-02', relationship: 'DATING', personId: 'A10000002' }],
  terms: { noContact: true, stayAwayYards: 100, stayAwayFrom: ['PROTECTED PARTY'], firearmsProhibited: true },
  expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
});

/** The dispatcher's connection parameters. */
export async function dispatcherParams(stack: Stack): Promise<Record<string, string>> {
  const p = findPersona('dispatcher')!;
  return { authorization: `Bearer ${await stack.token('dispatcher')}`, 'x-purpose-code': p.defaultPurpose!, 'x-reason': p.defaultReason! };
}

/** Resolves once the gateway at `stack` has recorded the dispatcher's subscription `name` (attached before its record). */
export async function subscribed(stack: Stack, name: string): Promise<void> {
  await waitUntil(`${name} recorded`, async () => {
    const res = await stack.query('auditor', '{ auditEvents(user: "u-dispatch-2001", limit: 200) { operationName outcome } }');
    return (res.body.data?.auditEvents as Array<{ operationName: string; outcome: string }> | undefined)?.some((r) => r.operationName === name && r.outcome === 'ALLOWED') ?? false;
  }, 60_000);
}

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
    const byPerson: TestSubscription = subscribe(c.client, WATCH('FeedByPerson'), { personId: 'A10000006' });
    await subscribed(stack, 'FeedByPerson');

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
});
