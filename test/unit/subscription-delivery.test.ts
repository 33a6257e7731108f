import { createLogger } from '../../platform/src';
import { DeliveryStream } from '../../gateway/src/subscriptions/delivery-stream';
import { OrderEventHub } from '../../gateway/src/subscriptions/order-event-hub';
import type { ProtectiveOrderFeedEvent } from '../../schema/events/protective-order-events';
import { MemoryEventFeed } from '../support/subscriptions';

const event = (version: number, orderId = 'PO-000001'): ProtectiveOrderFeedEvent => ({
  orderId,
  type: 'MODIFIED',
  version,
  at: '2026-12-02T05:00:00.000Z',
  personIds: ['A10000001'],
});

function streamWith(
  options: { maxQueued?: number; maxBufferedBytes?: number; buffered?: () => number; allow?: (e: ProtectiveOrderFeedEvent) => Promise<boolean> } = {},
) {
  const calls = { overflow: 0, end: 0, checked: [] as number[] };
  const stream = new DeliveryStream(
    {
      beforeDelivery: async (e) => {
        calls.checked.push(e.version);
        return options.allow ? options.allow(e) : true;
      },
      onOverflow: () => void calls.overflow++,
      onEnd: () => void calls.end++,
    },
    { maxQueued: options.maxQueued ?? 10, maxBufferedBytes: options.maxBufferedBytes ?? 1000, bufferedBytes: options.buffered ?? (() => 0) },
  );
  return { stream, calls };
}

describe('a subscription delivery stream (docs/design.md §8, decisions 27 and 28)', () => {
  it('hands over thin events in the order pushed, each checked before it is handed over', async () => {
    const { stream, calls } = streamWith();
    stream.push(event(1));
    stream.push(event(2));
    expect(await stream.next()).toEqual({
      done: false,
      value: { protectiveOrderEvents: { orderId: 'PO-000001', type: 'MODIFIED', version: 1, at: '2026-12-02T05:00:00.000Z' } },
    });
    expect((await stream.next()).value.protectiveOrderEvents.version).toBe(2);
    expect(calls.checked).toEqual([1, 2]);
  });

  it('waits for an event when none is queued', async () => {
    const { stream } = streamWith();
    const next = stream.next();
    stream.push(event(7));
    expect((await next).value.protectiveOrderEvents.version).toBe(7);
  });

  it('ends without handing over an event the check refuses (an expired token, an audit that fails)', async () => {
    const { stream, calls } = streamWith({ allow: async () => false });
    stream.push(event(1));
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(calls.end).toBe(1);
  });

  it('overflows once more than maxQueued events wait, dropping them, and ends', async () => {
    const { stream, calls } = streamWith({ maxQueued: 3 });
    for (let v = 1; v <= 5; v++) stream.push(event(v));
    expect(calls).toMatchObject({ overflow: 1, end: 1 });
    expect(stream.queued).toBe(0);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it("overflows when the socket's unsent bytes pass maxBufferedBytes, even with a short queue", () => {
    let buffered = 0;
    const { stream, calls } = streamWith({ maxBufferedBytes: 1000, buffered: () => buffered });
    stream.push(event(1));
    expect(calls.overflow).toBe(0);
    buffered = 1001;
    stream.push(event(2));
    expect(calls.overflow).toBe(1);
  });

  it('ends once on return(), however often it is asked', async () => {
    const { stream, calls } = streamWith();
    await stream.return();
    await stream.return();
    stream.push(event(1));
    expect(calls.end).toBe(1);
    expect(stream.queued).toBe(0);
  });
});

describe('the order event hub: one feed consumer fanned out', () => {
  const silent = createLogger('test', 'silent');

  it('passes each (order, version) once, never an older version after a newer, per order', async () => {
    const feed = new MemoryEventFeed();
    const hub = new OrderEventHub(feed, silent);
    await hub.start();
    const seen: string[] = [];
    hub.listen((e) => seen.push(`${e.orderId}@${e.version}`));
    for (const [orderId, v] of [
      ['PO-000001', 1],
      ['PO-000002', 5],
      ['PO-000001', 1],
      ['PO-000001', 3],
      ['PO-000001', 2],
      ['PO-000002', 5],
      ['PO-000002', 6],
    ] as const) {
      feed.publish(event(v, orderId));
    }
    expect(seen).toEqual(['PO-000001@1', 'PO-000002@5', 'PO-000001@3', 'PO-000002@6']);
    await hub.stop();
  });

  it('drops a body that is not an event of its key and version, and one listener failing does not keep it from the others', async () => {
    const feed = new MemoryEventFeed();
    const hub = new OrderEventHub(feed, silent);
    await hub.start();
    const seen: number[] = [];
    hub.listen(() => {
      throw new Error('a broken subscriber');
    });
    hub.listen((e) => seen.push(e.version));
    feed.publishRaw({ key: 'PO-000009', version: 1, body: 'not json' });
    feed.publishRaw({ key: 'PO-000009', version: 2, body: JSON.stringify({ ...event(3, 'PO-000009') }) });
    feed.publishRaw({ key: 'PO-000008', version: 1, body: JSON.stringify({ ...event(1, 'PO-000009') }) });
    feed.publish(event(4, 'PO-000009'));
    expect(seen).toEqual([4]);
    await hub.stop();
  });
});
