import { findPersona } from '../../access-policy/src';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { dropTestDatabases } from '../support/postgres';
import { startStack, STORE_KINDS, type Stack } from '../support/stack';
import { connect, MemoryEventFeed, subscribe, waitUntil, type TestClient } from '../support/subscriptions';
import { callerClaims, signAsDevIssuer } from '../support/tokens';

/** A subscription named `name`, so each test finds its own audit records. */
const watch = (name: string, fields = 'orderId type version at') =>
  `subscription ${name}($orderId: ID, $personId: ID) { protectiveOrderEvents(orderId: $orderId, personId: $personId) { ${fields} } }`;

/** A persona's connection parameters, as the explorer and agency applications send them. */
async function paramsOf(stack: Stack, persona: string, overrides: Record<string, string> = {}) {
  const p = findPersona(persona)!;
  return { authorization: `Bearer ${await stack.token(persona)}`, 'x-purpose-code': p.defaultPurpose ?? '', 'x-reason': p.defaultReason ?? '', ...overrides };
}

interface AuditRow {
  user: string;
  outcome: string;
  operationType: string;
  operationName: string;
  subjects: string[];
  errorCodes: string[];
  requestId: string;
  deliveredEvent: string | null;
}

/** The audit records an auditor finds (docs/design.md §2, auditEvents). */
async function auditOf(stack: Stack, args: { subject?: string; user?: string }): Promise<AuditRow[]> {
  const res = await stack.query(
    'auditor',
    `query($subject: String, $user: String) { auditEvents(subject: $subject, user: $user, limit: 500) { user outcome operationType operationName subjects errorCodes requestId deliveredEvent } }`,
    args,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.auditEvents as AuditRow[];
}

/** Resolves once the gateway has recorded `count` subscribe messages named `name` (each attached before its record). */
async function subscribed(stack: Stack, user: string, name: string, count = 1): Promise<void> {
  await waitUntil(
    `${count} ${name} subscription(s) recorded`,
    async () => (await auditOf(stack, { user })).filter((r) => r.operationName === name && r.outcome === 'ALLOWED').length >= count,
  );
}

describe.each(STORE_KINDS)('subscriptions to protective-order events (%s)', (store) => {
  const feed = new MemoryEventFeed();
  let stack: Stack;
  const clients: TestClient[] = [];
  const open = (params: Record<string, unknown>) => {
    const c = connect(stack.gatewayUrl, params);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 50, store, gatewayOptions: async () => ({ eventFeed: feed }) });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose().catch(() => undefined);
    await stack?.stop();
    if (store === 'postgres') await dropTestDatabases();
  });

  it('delivers a thin event (order id, type, version, time) for the order subscribed to, and nothing for other orders', async () => {
    const c = open(await paramsOf(stack, 'dispatcher'));
    const s = subscribe(c.client, watch('ByOrder'), { orderId: 'PO-000001' });
    await subscribed(stack, 'u-dispatch-2001', 'ByOrder');

    feed.publish({ orderId: 'PO-000777', type: 'ISSUED', version: 1, personIds: ['A10000001'] });
    feed.publish({ orderId: 'PO-000001', type: 'SERVED', version: 2, at: '2026-12-02T05:00:00.000Z', personIds: ['A10000001', 'A10000002'] });
    await waitUntil('the event arrives', () => s.events.length >= 1);

    expect(s.events).toEqual([{ orderId: 'PO-000001', type: 'SERVED', version: 2, at: '2026-12-02T05:00:00.000Z' }]);
    expect(s.errors).toEqual([]);
  });

  it('drops duplicates and older versions from the feed: each version at most once, never an older one after a newer', async () => {
    const c = open(await paramsOf(stack, 'officer'));
    const s = subscribe(c.client, watch('Dedup'), { orderId: 'PO-000002' });
    await subscribed(stack, 'u-officer-1001', 'Dedup');

    for (const version of [3, 3, 2, 4, 1, 4, 5]) feed.publish({ orderId: 'PO-000002', type: 'MODIFIED', version, personIds: ['A10000005'] });
    await waitUntil('version 5 arrives', () => s.events.some((e) => e.version === 5));

    expect(s.events.map((e) => e.version)).toEqual([3, 4, 5]);
  });

  it('matches personId against the restrained person and every protected party', async () => {
    const params = await paramsOf(stack, 'dispatcher');
    const restrained = subscribe(open(params).client, watch('ByRestrained'), { personId: 'A10000001' });
    const protectedParty = subscribe(open(params).client, watch('ByProtected'), { personId: 'A10000002' });
    const bystander = subscribe(open(params).client, watch('ByBystander'), { personId: 'A10000006' });
    await subscribed(stack, 'u-dispatch-2001', 'ByRestrained');
    await subscribed(stack, 'u-dispatch-2001', 'ByProtected');
    await subscribed(stack, 'u-dispatch-2001', 'ByBystander');

    feed.publish({ orderId: 'PO-000901', type: 'ISSUED', version: 1, personIds: ['A10000001', 'A10000002'] });
    feed.publish({ orderId: 'PO-000902', type: 'ISSUED', version: 1, personIds: ['A10000007'] });
    await waitUntil('both parties hear of the order', () => restrained.events.length >= 1 && protectedParty.events.length >= 1);

    expect(restrained.events.map((e) => e.orderId)).toEqual(['PO-000901']);
    expect(protectedParty.events.map((e) => e.orderId)).toEqual(['PO-000901']);
    // The person ids an event is matched on are never delivered.
    expect(Object.keys(restrained.events[0]).sort()).toEqual(['at', 'orderId', 'type', 'version']);
    expect(bystander.events).toEqual([]);
  });

  it('records every delivery in the hash chain, found by order, by person and by user; the chain verifies', async () => {
    const c = open(await paramsOf(stack, 'officer'));
    const s = subscribe(c.client, watch('Audited'), { personId: 'A10000003' });
    await subscribed(stack, 'u-officer-1001', 'Audited');

    feed.publish({ orderId: 'PO-000950', type: 'ISSUED', version: 1, personIds: ['A10000003'] });
    feed.publish({ orderId: 'PO-000950', type: 'SERVED', version: 2, personIds: ['A10000003'] });
    await waitUntil('both events arrive', () => s.events.length >= 2);

    const byOrder = (await auditOf(stack, { subject: 'ProtectiveOrder:PO-000950' })).filter((r) => r.operationName === 'Audited');
    expect(byOrder).toHaveLength(2);
    for (const r of byOrder) {
      expect(r).toMatchObject({ user: 'u-officer-1001', outcome: 'ALLOWED', operationType: 'subscription' });
      expect(r.subjects.sort()).toEqual(['Person:A10000003', 'ProtectiveOrder:PO-000950']);
    }
    const byUser = (await auditOf(stack, { user: 'u-officer-1001' })).filter((r) => r.operationName === 'Audited');
    // Each delivery record says which event it delivered.
    expect(byOrder.map((r) => r.deliveredEvent).sort()).toEqual(['PO-000950 ISSUED v1', 'PO-000950 SERVED v2']);
    // The subscribe and its two deliveries, under one request id; the subscribe delivered nothing.
    expect(byUser).toHaveLength(3);
    expect(byUser.filter((r) => r.deliveredEvent === null)).toHaveLength(1);
    expect(new Set(byUser.map((r) => r.requestId)).size).toBe(1);

    const audit = await SqlAuditStore.open(
      stack.env.DATABASE_URL ? { kind: 'postgres', url: stack.env.DATABASE_URL } : { kind: 'sqlite', dataDir: stack.dataDir },
      1,
    );
    try {
      expect((await verifyAllChains(audit)).ok).toBe(true);
    } finally {
      await audit.close();
    }
  });

  it('counts active subscriptions and deliveries in the Prometheus metrics', async () => {
    const c = open(await paramsOf(stack, 'dispatcher'));
    const s = subscribe(c.client, watch('Counted'), { orderId: 'PO-000970' });
    await subscribed(stack, 'u-dispatch-2001', 'Counted');
    const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    const before = await (await fetch(stack.metricsUrl)).text();

    feed.publish({ orderId: 'PO-000970', type: 'ISSUED', version: 1, personIds: [] });
    await waitUntil('the event arrives', () => s.events.length === 1);

    const after = await (await fetch(stack.metricsUrl)).text();
    expect(value(after, 'custodian_subscriptions_active')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'custodian_subscription_deliveries_total')).toBe(value(before, 'custodian_subscription_deliveries_total') + 1);
  });

  it('refuses a persona without orders:read before anything is attached, and records the refusal as DENIED', async () => {
    const c = open(await paramsOf(stack, 'employment-screener'));
    const s = subscribe(c.client, watch('ScreenerWatch'), { personId: 'A10000001' });
    await s.ended;

    expect(s.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(s.errors[0].message).toMatch(/orders:read/);
    feed.publish({ orderId: 'PO-000960', type: 'ISSUED', version: 1, personIds: ['A10000001'] });
    expect(s.events).toEqual([]);
    const records = (await auditOf(stack, { user: 'u-screener-4001' })).filter((r) => r.operationName === 'ScreenerWatch');
    expect(records).toEqual([expect.objectContaining({ outcome: 'DENIED', operationType: 'subscription', errorCodes: ['FORBIDDEN'], subjects: [] })]);
  });

  it('refuses a purpose the token does not allow, or purpose C without a reason, as DENIED', async () => {
    const wrongPurpose = subscribe(open(await paramsOf(stack, 'dispatcher', { 'x-purpose-code': 'D' })).client, watch('WrongPurpose'), {
      orderId: 'PO-000001',
    });
    const noReason = subscribe(open(await paramsOf(stack, 'dispatcher', { 'x-reason': '' })).client, watch('NoReason'), { orderId: 'PO-000001' });
    await Promise.all([wrongPurpose.ended, noReason.ended]);

    expect(wrongPurpose.errors).toEqual([expect.objectContaining({ message: 'Your credentials do not allow purpose D', extensions: { code: 'FORBIDDEN' } })]);
    expect(noReason.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
    expect(noReason.errors[0].message).toMatch(/needs a reason/);
    const records = (await auditOf(stack, { user: 'u-dispatch-2001' })).filter((r) => r.operationName === 'WrongPurpose' || r.operationName === 'NoReason');
    expect(records.map((r) => r.outcome)).toEqual(['DENIED', 'DENIED']);
  });

  it.each([
    ['neither argument', 'Neither', {}, /exactly one of orderId and personId/],
    ['both arguments', 'Both', { orderId: 'PO-000001', personId: 'A10000001' }, /exactly one of orderId and personId/],
    ['a malformed order id', 'BadOrder', { orderId: 'PO-1; DROP' }, /orderId must be an order id/],
    ['a malformed person id', 'BadPerson', { personId: 'A1' }, /personId must be a state identification number/],
  ])('refuses %s with BAD_USER_INPUT, recorded INVALID', async (_what, name, variables, message) => {
    const s = subscribe(open(await paramsOf(stack, 'dispatcher')).client, watch(name), variables);
    await s.ended;
    expect(s.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(s.errors[0].message).toMatch(message);
    const records = (await auditOf(stack, { user: 'u-dispatch-2001' })).filter((r) => r.operationName === name);
    expect(records).toEqual([expect.objectContaining({ outcome: 'INVALID', errorCodes: ['BAD_USER_INPUT'], subjects: [] })]);
  });

  it('refuses queries and mutations over the socket: only the subscription runs there', async () => {
    const s = subscribe(open(await paramsOf(stack, 'dispatcher')).client, 'query Q { protectiveOrder(id: "PO-000001") { id } }', {});
    await s.ended;
    expect(s.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
  });

  it('refuses a subscription sent with POST with BAD_REQUEST (400) saying where subscriptions run, recorded INVALID', async () => {
    const res = await stack.query('dispatcher', watch('OverPost'), { orderId: 'PO-000001' });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toEqual([
      expect.objectContaining({ message: 'Subscriptions run over the graphql-ws protocol: open a WebSocket to /graphql', extensions: { code: 'BAD_REQUEST' } }),
    ]);
    const records = (await auditOf(stack, { user: 'u-dispatch-2001' })).filter((r) => r.operationName === 'OverPost');
    expect(records).toEqual([expect.objectContaining({ outcome: 'INVALID', operationType: 'subscription' })]);
  });

  it('closes the connection with 4401 "Token expired" when the token expires mid-subscription', async () => {
    const dispatcher = findPersona('dispatcher')!;
    const expiresAt = Math.floor(Date.now() / 1000) + 4;
    const token = await signAsDevIssuer(stack.dataDir, callerClaims({ sub: 'u-expiring-0001', scope: dispatcher.scopes.join(' '), purposes: 'C' }), {
      expiresAt,
    });
    const c = open({ authorization: `Bearer ${token}`, 'x-purpose-code': 'C', 'x-reason': 'CAD-1' });
    const s = subscribe(c.client, watch('Expiring'), { orderId: 'PO-000003' });
    await subscribed(stack, 'u-expiring-0001', 'Expiring');

    const closed = await c.closed;
    expect(closed).toEqual({ code: 4401, reason: 'Token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    feed.publish({ orderId: 'PO-000003', type: 'TERMINATED', version: 9, personIds: [] });
    expect(s.events).toEqual([]);
  });

  it('refuses a connection without a valid token with 4401, recorded UNAUTHENTICATED', async () => {
    const forged = (await stack.token('dispatcher')).replace(/\.[^.]+$/, '.AAAA');
    const c = open({ authorization: `Bearer ${forged}`, 'x-purpose-code': 'C', 'x-reason': 'CAD-1' });
    expect(await c.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    // A forged token is recorded under the user it claims, marked unverified.
    const records = (await auditOf(stack, { user: 'unverified:u-dispatch-2001' })).filter((r) => r.operationType === 'subscription');
    expect(records).toEqual([expect.objectContaining({ outcome: 'UNAUTHENTICATED', errorCodes: ['UNAUTHENTICATED'] })]);
  });
});
