import { SignJWT } from 'jose';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { INTERNAL_ALGORITHM, INTERNAL_ISSUER, INTERNAL_TOKEN_HEADER } from '../../access-policy/src';
import { importKey, readJwk, SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { eventStreamUrl, openEventFeedConsumer, type EventFeedConsumer } from '../../platform/src/events';
import { PROTECTIVE_ORDER_FEED } from '../../schema/events/protective-order-feed';
import { receive } from '../support/event-feed';
import { dropTestDatabases } from '../support/postgres';
import { startStack, STORE_KINDS, type Stack } from '../support/stack';

const ISSUE = `mutation Issue($input: IssueProtectiveOrderInput!) { issueProtectiveOrder(input: $input) { id version } }`;
const MODIFY = `mutation Modify($id: ID!, $v: Int!, $changes: ProtectiveOrderChanges!) { modifyProtectiveOrder(id: $id, expectedVersion: $v, changes: $changes) { version } }`;
const SERVE = `mutation Serve($id: ID!, $v: Int!, $at: DateTime!, $method: ServiceMethod!) { recordProofOfService(id: $id, expectedVersion: $v, servedAt: $at, method: $method) { version } }`;
const TERMINATE = `mutation Terminate($id: ID!, $v: Int!, $reason: String!) { terminateProtectiveOrder(id: $id, expectedVersion: $v, reason: $reason) { version } }`;

const issueInput = (caseNumber: string) => ({
  caseNumber,
  court: 'LOS ANGELES SUPERIOR COURT',
  type: 'DVRO',
  restrainedPersonId: 'A10000006',
  protectedParties: [
    { name: { last: 'ROE', first: 'JANE' }, dateOfBirth: '1988-07-02', relationship: 'DATING', personId: 'A10000002' },
    { name: { last: 'ROE', first: 'BABY' }, dateOfBirth: '2020-01-01', relationship: 'CHILD' },
  ],
  terms: { noContact: true, stayAwayYards: 100, firearmsProhibited: true },
  expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
});

/** Issues an order and takes it through modify, serve and terminate; returns its id. */
async function orderLifecycle(stack: Stack, caseNumber: string): Promise<string> {
  const issued = await stack.query('court-clerk', ISSUE, { input: issueInput(caseNumber) });
  expect(issued.body.errors).toBeUndefined();
  const id = issued.body.data!.issueProtectiveOrder.id as string;
  expect((await stack.query('court-clerk', MODIFY, { id, v: 1, changes: { terms: { stayAwayYards: 200 } } })).body.errors).toBeUndefined();
  expect((await stack.query('officer', SERVE, { id, v: 2, at: new Date().toISOString(), method: 'PERSONAL' })).body.errors).toBeUndefined();
  expect((await stack.query('court-clerk', TERMINATE, { id, v: 3, reason: 'DISSOLVED AT HEARING' })).body.errors).toBeUndefined();
  return id;
}

/** docs/design.md §8 decision 29 and issue 23: order changes reach the gateway through the outbox and the embedded stream. */
describe.each(STORE_KINDS)('the embedded event feed, on %s', (store) => {
  let stack: Stack;
  let consumer: EventFeedConsumer;
  let streamUrl: string;

  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 60, store });
    streamUrl = eventStreamUrl(stack.subgraphUrls.orders, PROTECTIVE_ORDER_FEED);
    const key = await importKey(readJwk(sandboxKeyFiles(stack.dataDir, SANDBOX_KEYS.internalToken).privateFile), INTERNAL_ALGORITHM);
    consumer = openEventFeedConsumer({ nats: null }, PROTECTIVE_ORDER_FEED, { streamUrl, internalTokenKey: key });
  });
  afterAll(async () => {
    await consumer?.close();
    await stack?.stop();
    await dropTestDatabases();
  });

  it('delivers every committed change of an order, in version order, with the persons it concerns and nothing else', async () => {
    const received = await receive(consumer);
    const id = await orderLifecycle(stack, 'FL-26-023001');
    await received.until((r) => r.of(id).length >= 4);
    expect(received.of(id).map((e) => [e.version, e.type])).toEqual([
      [1, 'ISSUED'],
      [2, 'MODIFIED'],
      [3, 'SERVED'],
      [4, 'TERMINATED'],
    ]);
    // The restrained person and the protected party with a record id; the child has none.
    expect(received.of(id)[0].personIds.sort()).toEqual(['A10000002', 'A10000006']);
    // Seeded orders are history: nothing of them arrives.
    expect(received.events.every((e) => e.orderId === id)).toBe(true);
    await received.detach();
  });

  it("refuses the stream without an internal token, with a GraphQL call's token, and with a token the gateway did not sign, and says nothing of any event", async () => {
    const noToken = await fetch(streamUrl);
    const callToken = await fetch(streamUrl, { headers: { [INTERNAL_TOKEN_HEADER]: await stack.internalToken('court-clerk', 'orders') } });
    const { privateKey } = await promisify(generateKeyPair)('ed25519');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: INTERNAL_ALGORITHM })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(PROTECTIVE_ORDER_FEED.audience)
      .setSubject('custodian-gateway')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(privateKey);
    const forgedToken = await fetch(streamUrl, { headers: { [INTERNAL_TOKEN_HEADER]: forged } });
    for (const res of [noToken, callToken, forgedToken]) {
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ errors: [{ message: 'This service only answers the Custodian gateway', extensions: { code: 'UNAUTHENTICATED' } }] });
      expect(text).not.toMatch(/PO-|A1000|ISSUED|epoch/);
    }
  });
});
