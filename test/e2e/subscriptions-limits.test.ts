import WebSocket from 'ws';
import { findPersona } from '../../access-policy/src';
import { startStack, type Stack } from '../support/stack';
import type { EventFeedConsumer } from '../../platform/src/events/event-feed';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { SwitchableAuditStore } from '../support/audit-stores';
import { callerClaims, signAsDevIssuer } from '../support/tokens';
import { connect, MemoryEventFeed, subscribe, waitUntil, wsUrl, type Closed, type TestClient } from '../support/subscriptions';

const watch = (name: string) =>
  `subscription ${name}($orderId: ID, $personId: ID) { protectiveOrderEvents(orderId: $orderId, personId: $personId) { orderId version } }`;

/** A raw WebSocket speaking graphql-ws by hand, for what a well-behaved client never does. */
function rawSocket(stack: Stack): { socket: WebSocket; closed: Promise<Closed> } {
  const socket = new WebSocket(wsUrl(stack.gatewayUrl), 'graphql-transport-ws');
  const closed = new Promise<Closed>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.on('error', () => undefined);
  return { socket, closed };
}

/** docs/design.md §8 decision 28: limits close or refuse instead of letting a caller grow the gateway. */
describe('subscription limits', () => {
  const feed = new MemoryEventFeed();
  let stack: Stack;
  let audit: SwitchableAuditStore;
  const clients: TestClient[] = [];
  const dispatcherParams = async () => {
    const p = findPersona('dispatcher')!;
    return { authorization: `Bearer ${await stack.token('dispatcher')}`, 'x-purpose-code': p.defaultPurpose!, 'x-reason': p.defaultReason! };
  };
  const open = async () => {
    const c = connect(stack.gatewayUrl, await dispatcherParams());
    clients.push(c);
    return c;
  };

  /** How many records of `name` with `outcome` the auditor finds for `user`. */
  const recorded = async (user: string, name: string, outcome: string) => {
    const res = await stack.query('auditor', 'query($u: String) { auditEvents(user: $u, limit: 500) { operationName outcome } }', { u: user });
    return (res.body.data!.auditEvents as Array<{ operationName: string; outcome: string }>).filter((r) => r.operationName === name && r.outcome === outcome)
      .length;
  };

  beforeAll(async () => {
    stack = await startStack({
      mode: 'in-process',
      persons: 50,
      env: {
        SUBSCRIPTIONS_PER_CONNECTION: '2',
        SUBSCRIPTIONS_PER_CALLER: '3',
        SUBSCRIPTION_INIT_TIMEOUT_MS: '1000',
        SUBSCRIPTION_IDLE_TIMEOUT_MS: '1500',
        SUBSCRIPTION_MAX_QUEUED: '3',
        SUBSCRIPTION_MAX_MESSAGE_BYTES: '2048',
        LOCKOUT_ATTEMPTS: '3',
      },
      gatewayOptions: async (dataDir) => {
        audit = new SwitchableAuditStore(await SqlAuditStore.open({ kind: 'sqlite', dataDir }));
        return { eventFeed: feed, auditStore: audit };
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose().catch(() => undefined);
    await stack?.stop();
  });

  it('refuses a subscription beyond SUBSCRIPTIONS_PER_CONNECTION, and beyond SUBSCRIPTIONS_PER_CALLER across connections, with RATE_LIMITED', async () => {
    const first = await open();
    const a = subscribe(first.client, watch('LimitA'), { orderId: 'PO-000101' });
    const b = subscribe(first.client, watch('LimitB'), { orderId: 'PO-000102' });
    const c = subscribe(first.client, watch('LimitC'), { orderId: 'PO-000103' });
    await c.ended;
    expect(c.errors).toEqual([expect.objectContaining({ message: 'At most 2 subscriptions per connection', extensions: { code: 'RATE_LIMITED' } })]);

    const second = await open();
    const d = subscribe(second.client, watch('LimitD'), { orderId: 'PO-000104' });
    const e = subscribe(second.client, watch('LimitE'), { orderId: 'PO-000105' });
    await e.ended;
    expect(e.errors).toEqual([expect.objectContaining({ message: 'At most 3 subscriptions per user on this gateway', extensions: { code: 'RATE_LIMITED' } })]);
    // The three within the limits still deliver.
    feed.publish({ orderId: 'PO-000104', type: 'ISSUED', version: 1, personIds: [] });
    await waitUntil('the event reaches the subscription within the limits', () => d.events.length === 1);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);

    // Ending one frees a place for the user (once the gateway has seen the end: retried until then).
    a.unsubscribe();
    let f = subscribe(second.client, watch('LimitF'), { orderId: 'PO-000106' });
    await waitUntil('a new subscription is accepted', async () => {
      if (f.errors.length > 0) f = subscribe(second.client, watch('LimitF'), { orderId: 'PO-000106' });
      return (await recorded('u-dispatch-2001', 'LimitF', 'ALLOWED')) === 1;
    });
    feed.publish({ orderId: 'PO-000106', type: 'ISSUED', version: 1, personIds: [] });
    await waitUntil('the new subscription delivers', () => f.events.length === 1);
    await first.dispose();
    await second.dispose();
  });

  it('closes a connection that sends no connection_init in time with 4408', async () => {
    const { closed } = rawSocket(stack);
    expect((await closed).code).toBe(4408);
  });

  it('closes an authenticated connection that holds no subscription with 4410', async () => {
    const c = await open();
    expect(await c.closed).toEqual({ code: 4410, reason: 'Idle: no subscription' });
  });

  it('closes a connection that sends a message above SUBSCRIPTION_MAX_MESSAGE_BYTES with 1009', async () => {
    const { socket, closed } = rawSocket(stack);
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(4096) } }));
    expect((await closed).code).toBe(1009);
  });

  it('closes a slow consumer with 4413 instead of queueing without bound', async () => {
    // Another user than the tests above, whose subscriptions may still be ending.
    const token = await signAsDevIssuer(stack.dataDir, callerClaims({ sub: 'u-slow-0001', scope: findPersona('dispatcher')!.scopes.join(' '), purposes: 'C' }));
    const c = connect(stack.gatewayUrl, { authorization: `Bearer ${token}`, 'x-purpose-code': 'C', 'x-reason': 'CAD-1' });
    clients.push(c);
    const s = subscribe(c.client, watch('Slow'), { orderId: 'PO-000200' });
    await waitUntil('the subscription is attached', async () => (await recorded('u-slow-0001', 'Slow', 'ALLOWED')) === 1);
    // A burst in one turn of the event loop: none can be sent before the next arrives.
    for (let version = 1; version <= 10; version++) feed.publish({ orderId: 'PO-000200', type: 'MODIFIED', version, personIds: [] });

    expect(await c.closed).toEqual({ code: 4413, reason: 'Slow consumer: events not read in time' });
    expect(s.events.length).toBeLessThanOrEqual(3);
  });

  it('does not deliver an event whose record cannot be written: the connection closes with 4503 (fail closed)', async () => {
    const token = await signAsDevIssuer(
      stack.dataDir,
      callerClaims({ sub: 'u-audit-down-0001', scope: findPersona('dispatcher')!.scopes.join(' '), purposes: 'C' }),
    );
    const c = connect(stack.gatewayUrl, { authorization: `Bearer ${token}`, 'x-purpose-code': 'C', 'x-reason': 'CAD-1' });
    clients.push(c);
    const s = subscribe(c.client, watch('AuditDown'), { orderId: 'PO-000300' });
    await waitUntil('the subscription is attached', async () => (await recorded('u-audit-down-0001', 'AuditDown', 'ALLOWED')) === 1);

    audit.refuseWrites = true;
    try {
      feed.publish({ orderId: 'PO-000300', type: 'TERMINATED', version: 1, personIds: [] });
      expect(await c.closed).toEqual({ code: 4503, reason: 'Audit unavailable' });
    } finally {
      audit.refuseWrites = false;
    }
    expect(s.events).toEqual([]);
  });

  // Last: it locks this test's address out.
  it('refuses connections from an address locked out after failed authentications with 4429, valid tokens included', async () => {
    const forged = (await stack.token('dispatcher')).replace(/\.[^.]+$/, '.AAAA');
    for (let i = 0; i < 3; i++) {
      const bad = connect(stack.gatewayUrl, { authorization: `Bearer ${forged}`, 'x-purpose-code': 'C', 'x-reason': 'CAD-1' });
      clients.push(bad);
      expect((await bad.closed).code).toBe(4401);
    }
    const good = await open();
    expect(await good.closed).toEqual({ code: 4429, reason: 'Too many requests' });
  });
});

/** A feed that never attaches (NATS or the orders service unreachable). */
const unreachableFeed: EventFeedConsumer = { subscribe: () => new Promise(() => undefined), close: async () => undefined };

describe('a gateway whose event feed has not attached', () => {
  let stack: Stack;
  let client: TestClient | undefined;
  beforeAll(async () => {
    // Start-up waits for the feed for a while, then serves without it.
    stack = await startStack({ mode: 'in-process', persons: 50, gatewayOptions: async () => ({ eventFeed: unreachableFeed }) });
  }, 120_000);
  afterAll(async () => {
    await client?.dispose().catch(() => undefined);
    await stack?.stop();
  });

  it('still answers queries, and refuses subscriptions with SOURCE_UNAVAILABLE (recorded ERROR) rather than let them miss events', async () => {
    const p = findPersona('dispatcher')!;
    const query = await stack.query('dispatcher', '{ protectiveOrder(id: "PO-000001") { id } }');
    expect(query.body.data).toEqual({ protectiveOrder: { id: 'PO-000001' } });

    client = connect(stack.gatewayUrl, {
      authorization: `Bearer ${await stack.token('dispatcher')}`,
      'x-purpose-code': p.defaultPurpose!,
      'x-reason': p.defaultReason!,
    });
    const s = subscribe(client.client, watch('NoFeed'), { orderId: 'PO-000001' });
    await s.ended;
    expect(s.errors).toEqual([
      expect.objectContaining({ message: 'The order event feed is not connected yet; subscribe again shortly', extensions: { code: 'SOURCE_UNAVAILABLE' } }),
    ]);
    const res = await stack.query('auditor', '{ auditEvents(user: "u-dispatch-2001", limit: 50) { operationName outcome errorCodes } }');
    expect((res.body.data!.auditEvents as Array<{ operationName: string }>).filter((r) => r.operationName === 'NoFeed')).toEqual([
      { operationName: 'NoFeed', outcome: 'ERROR', errorCodes: ['SOURCE_UNAVAILABLE'] },
    ]);
  });
});
