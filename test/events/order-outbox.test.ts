import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openSqlClient, type StoreLocation } from '../../platform/src';
import type { EventFeedPublisher, FeedEvent } from '../../platform/src/events';
import { parseProtectiveOrderEvent } from '../../schema/events/protective-order-events';
import type { OrderEventPayload } from '../../subgraphs/orders/src/order-events';
import { startOutboxRelay } from '../../subgraphs/orders/src/outbox-relay';
import { replayOnStart } from '../../subgraphs/orders/src/order-event-feed';
import { ORDERS_MIGRATIONS } from '../../subgraphs/orders/src/store/migrations';
import { SqlOrdersStore } from '../../subgraphs/orders/src/store/sql-orders-store';
import { dropTestDatabases, freshDatabase } from '../support/postgres';
import { STORE_KINDS, type StoreKind } from '../support/stack';

const CLERK = { sub: 'u-clerk-3001', name: 'Clerk', ori: 'CA019015J' };
const issued = (restrained: string, protectedId: string | null): OrderEventPayload => ({
  type: 'ISSUED',
  caseNumber: 'FL-26-023100',
  court: 'LOS ANGELES SUPERIOR COURT',
  orderType: 'DVRO',
  restrainedPersonId: restrained,
  protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, dateOfBirth: null, relationship: 'SPOUSE', personId: protectedId, address: null }],
  terms: { noContact: true, stayAwayYards: 100, stayAwayFrom: [], firearmsProhibited: true, moveOut: false, other: null },
  issuedAt: '2026-12-01T10:00:00.000Z',
  expiresAt: null,
});
const modified = (yards: number): OrderEventPayload => ({ type: 'MODIFIED', terms: { stayAwayYards: yards } });

const dirs: string[] = [];
async function freshLocation(kind: StoreKind): Promise<StoreLocation> {
  if (kind === 'postgres') return { kind: 'postgres', url: await freshDatabase() };
  const dir = mkdtempSync(join(tmpdir(), 'custodian-outbox-'));
  dirs.push(dir);
  return { kind: 'sqlite', dataDir: dir };
}

/** A transport that refuses while `down` is true, and keeps what it accepted. */
function flakyTransport(): EventFeedPublisher & { down: boolean; accepted: FeedEvent[]; refusals: number } {
  const t = {
    down: false,
    accepted: [] as FeedEvent[],
    refusals: 0,
    async publish(event: FeedEvent) {
      if (t.down) {
        t.refusals++;
        throw new Error('transport unavailable');
      }
      t.accepted.push(event);
    },
    async close() {},
  };
  return t;
}

async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropTestDatabases();
});

/** docs/design.md §8 decision 29: the orders outbox and its relay. */
describe.each(STORE_KINDS)('the orders outbox, on %s', (kind) => {
  it("writes each appended event to the outbox in its own transaction, with the order's persons at that version", async () => {
    const store = await SqlOrdersStore.open(await freshLocation(kind));
    try {
      const order = await store.append(null, 0, '2026-12-01T10:00:00.000Z', CLERK, issued('A10000006', 'A10000002'));
      await store.append(order.id, 1, '2026-12-01T11:00:00.000Z', CLERK, modified(300));
      const pending: Array<{ key: string; version: number; body: string }> = [];
      await store.outbox.asPublisher(async (s) => void pending.push(...(await s.pending(10))));
      expect(pending.map((e) => [e.key, e.version])).toEqual([
        [order.id, 1],
        [order.id, 2],
      ]);
      expect(pending.map((e) => parseProtectiveOrderEvent(e.body))).toEqual([
        { orderId: order.id, type: 'ISSUED', version: 1, at: '2026-12-01T10:00:00.000Z', personIds: ['A10000006', 'A10000002'] },
        { orderId: order.id, type: 'MODIFIED', version: 2, at: '2026-12-01T11:00:00.000Z', personIds: ['A10000006', 'A10000002'] },
      ]);
    } finally {
      await store.close();
    }
  });

  it('writes nothing to the outbox when the change fails (a stale version)', async () => {
    const store = await SqlOrdersStore.open(await freshLocation(kind));
    try {
      const order = await store.append(null, 0, '2026-12-01T10:00:00.000Z', CLERK, issued('A10000006', null));
      await expect(store.append(order.id, 0, '2026-12-01T11:00:00.000Z', CLERK, modified(300))).rejects.toThrow(/version/);
      let pending: unknown[] = [];
      await store.outbox.asPublisher(async (s) => void (pending = await s.pending(10)));
      expect(pending).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('treats events stored before the outbox existed, and seeded events, as published: a restart floods no subscriber', async () => {
    const location = await freshLocation(kind);
    const client = await openSqlClient(location, 'orders');
    await migrate(
      client,
      ORDERS_MIGRATIONS.filter((m) => m.version === 1),
    );
    await client.run(
      `INSERT INTO order_events (order_id, version, event_type, at, actor_sub, actor_name, actor_ori, payload, changes) VALUES ('PO-900001', 1, 'ISSUED', '2026-01-01T00:00:00.000Z', 'u', null, 'CA0194200', '{}', '[]')`,
    );
    await client.close();
    const store = await SqlOrdersStore.open(location);
    try {
      const seedEvent = (orderId: string, payload: OrderEventPayload) => ({ orderId, at: '2026-11-01T00:00:00.000Z', actor: CLERK, payload });
      // A new order takes the bulk path; an order already stored takes its events one at a time.
      await store.insertSeed({ events: [seedEvent('PO-800001', issued('A10000001', 'A10000002')), seedEvent('PO-800001', modified(150))] });
      await store.insertSeed({ events: [seedEvent('PO-800001', modified(175))] });
      expect((await store.eventsByOrderIds(['PO-800001'])).map((e) => e.version)).toEqual([1, 2, 3]);
      let pending: unknown[] = ['not read'];
      await store.outbox.asPublisher(async (s) => void (pending = await s.pending(10)));
      expect(pending).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('relays in sequence order, marks an event published only once the transport took it, and retries without dropping while the transport is down', async () => {
    const store = await SqlOrdersStore.open(await freshLocation(kind));
    const transport = flakyTransport();
    transport.down = true;
    const relay = startOutboxRelay(store.outbox, transport, { pollMs: 50, minBackoffMs: 10, maxBackoffMs: 50 });
    try {
      const a = await store.append(null, 0, '2026-12-01T10:00:00.000Z', CLERK, issued('A10000006', null));
      const b = await store.append(null, 0, '2026-12-01T10:00:01.000Z', CLERK, issued('A10000005', null));
      for (let v = 1; v <= 3; v++) await store.append(a.id, v, `2026-12-01T10:0${v}:00.000Z`, CLERK, modified(100 + v));
      await until(() => transport.refusals >= 3, 'the relay retried');
      let pending: unknown[] = [];
      // The running relay may hold the outbox (on PostgreSQL the reader then skips its turn): ask until it is ours.
      while (!(await store.outbox.asPublisher(async (s) => void (pending = await s.pending(100))))) await new Promise((r) => setTimeout(r, 5));
      expect(pending).toHaveLength(5);
      transport.down = false;
      await until(() => transport.accepted.length >= 5, 'the relay published after the transport came back');
      expect(transport.accepted.map((e) => `${e.key}:${e.version}`)).toEqual([`${a.id}:1`, `${b.id}:1`, `${a.id}:2`, `${a.id}:3`, `${a.id}:4`]);
      await relay.stop();
      await store.outbox.asPublisher(async (s) => void (pending = await s.pending(100)));
      expect(pending).toEqual([]);
    } finally {
      await relay.stop();
      await store.close();
    }
  });
});

describe('the orders outbox on the embedded store', () => {
  it("publishes each commit at once and reads nothing between commits: the one process's commits wake its relay, and requests' statement counts stay theirs", async () => {
    const store = await SqlOrdersStore.open(await freshLocation('sqlite'));
    const transport = flakyTransport();
    const relay = startOutboxRelay(store.outbox, transport);
    try {
      const order = await store.append(null, 0, '2026-12-01T10:00:00.000Z', CLERK, issued('A10000006', null));
      await until(() => transport.accepted.length === 1, 'the relay published the commit');
      // Past the pass that published (its mark), then quiet: three poll intervals of the shared store.
      await new Promise((r) => setTimeout(r, 200));
      const before = store.stats.statements;
      await new Promise((r) => setTimeout(r, 3000));
      expect(store.stats.statements).toBe(before);
      await store.append(order.id, 1, '2026-12-01T10:01:00.000Z', CLERK, modified(50));
      await until(() => transport.accepted.length === 2, 'the relay published the second commit');
      expect(transport.accepted.map((e) => e.version)).toEqual([1, 2]);
    } finally {
      await relay.stop();
      await store.close();
    }
  });
});

describe.each(STORE_KINDS)('the orders outbox kept small, on %s', (kind) => {
  it('deletes published entries beyond the newest it keeps, and never an unpublished one', async () => {
    const store = await SqlOrdersStore.open(await freshLocation(kind));
    const transport = flakyTransport();
    const relay = startOutboxRelay(store.outbox, transport, { pollMs: 50, keepPublished: 2, pruneEveryMs: 0 });
    try {
      const a = await store.append(null, 0, '2026-12-01T10:00:00.000Z', CLERK, issued('A10000006', null));
      for (let v = 1; v <= 4; v++) await store.append(a.id, v, `2026-12-01T10:0${v}:00.000Z`, CLERK, modified(100 + v));
      await until(() => transport.accepted.length >= 5, 'the relay published');
      await relay.stop();
      expect((await store.outbox.recentlyPublished(100)).map((e) => e.version)).toEqual([4, 5]);
      // Unpublished entries stay, whatever their age, until the relay has published them.
      transport.down = true;
      const later = startOutboxRelay(store.outbox, transport, { pollMs: 50, minBackoffMs: 10 });
      await store.append(a.id, 5, '2026-12-01T11:00:00.000Z', CLERK, modified(300));
      await until(() => transport.refusals >= 1, 'the relay tried');
      await later.stop();
      let pending: Array<{ version: number }> = [];
      await store.outbox.asPublisher(async (s) => {
        await s.prunePublished(0);
        pending = await s.pending(10);
      });
      expect(pending.map((e) => e.version)).toEqual([6]);
      expect(await store.outbox.recentlyPublished(100)).toEqual([]);
    } finally {
      await relay.stop();
      await store.close();
    }
  });
});

/** Several orders replicas on one PostgreSQL store: one relay publishes at a time, so per-order order holds. */
describe.each(STORE_KINDS.filter((k) => k === 'postgres'))('the orders outbox with two replicas, on %s', (kind) => {
  it('lets one relay publish at a time; the other skips its turn and finds the outbox free afterwards', async () => {
    const location = await freshLocation(kind);
    const first = await SqlOrdersStore.open(location);
    const second = await SqlOrdersStore.open(location);
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let holding!: () => void;
      const isHolding = new Promise<void>((r) => (holding = r));
      const firstTurn = first.outbox.asPublisher(async () => {
        holding();
        await held;
      });
      await isHolding;
      let ran = false;
      expect(await second.outbox.asPublisher(async () => void (ran = true))).toBe(false);
      expect(ran).toBe(false);
      release();
      expect(await firstTurn).toBe(true);
      expect(await second.outbox.asPublisher(async () => void (ran = true))).toBe(true);
      expect(ran).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("publishes each order's events in version order while two replicas write and both relays run", async () => {
    const location = await freshLocation(kind);
    const replicas = [await SqlOrdersStore.open(location), await SqlOrdersStore.open(location)];
    const accepted: FeedEvent[] = [];
    // One transport for both (as NATS is), slow enough that the relays' passes overlap.
    const transport: EventFeedPublisher = {
      async publish(event) {
        await new Promise((r) => setTimeout(r, 2));
        accepted.push(event);
      },
      async close() {},
    };
    const relays = replicas.map((r) => startOutboxRelay(r.outbox, transport, { pollMs: 20 }));
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await replicas[i % 2].append(null, 0, '2026-12-01T10:00:00.000Z', CLERK, issued('A10000006', null))).id);
      // Each order's changes alternate between the replicas; the orders advance side by side.
      await Promise.all(
        ids.map(async (id, i) => {
          for (let v = 1; v <= 5; v++) await replicas[(v + i) % 2].append(id, v, '2026-12-01T11:00:00.000Z', CLERK, modified(100 + v));
        }),
      );
      await until(() => new Set(accepted.map((e) => `${e.key}:${e.version}`)).size === 18, 'every event published');
      for (const id of ids) expect(accepted.filter((e) => e.key === id).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      for (const relay of relays) await relay.stop();
      for (const r of replicas) await r.close();
    }
  });
});

/** After an orders restart the embedded feed replays what its predecessor may not have sent, not history. */
describe('the embedded feed replay after a restart', () => {
  const entry = (seq: number, at: string) => ({
    seq,
    key: `PO-${seq}`,
    version: 1,
    body: JSON.stringify({ orderId: `PO-${seq}`, type: 'ISSUED', version: 1, at, personIds: [] }),
  });

  it('takes the events published within five minutes of the newest, however long ago that was, oldest first', () => {
    const replay = replayOnStart([
      entry(1, '2026-11-01T09:00:00.000Z'),
      entry(2, '2026-11-01T11:55:00.000Z'),
      entry(3, '2026-11-01T11:58:30.000Z'),
      entry(4, '2026-11-01T12:00:00.000Z'),
    ]);
    expect(replay.map((e) => e.key)).toEqual(['PO-2', 'PO-3', 'PO-4']);
  });

  it('takes nothing when nothing was published', () => {
    expect(replayOnStart([])).toEqual([]);
  });
});
