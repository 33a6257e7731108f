import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddedEventConsumer, EmbeddedEventHub, EmbeddedEventStream, type FeedEvent } from '../../platform/src/events';
import { PROTECTIVE_ORDER_FEED } from '../../schema/events/protective-order-feed';

const event = (key: string, version: number): FeedEvent => ({ key, version, body: JSON.stringify({ key, version }) });

async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The embedded transport's hub: what it holds for readers that come back, and how much. */
describe('the embedded event hub', () => {
  it('gives a reader of its own epoch what came after its position, a reader of another epoch all it holds, and a new reader nothing old', async () => {
    const hub = new EmbeddedEventHub({ initial: [event('PO-1', 1)] });
    await hub.publish(event('PO-1', 2));
    await hub.publish(event('PO-2', 1));
    const versions = (entries: FeedEvent[]) => entries.map((e) => `${e.key}:${e.version}`);
    expect(versions(hub.attach({ epoch: hub.epoch, position: 2 }, () => undefined).missed)).toEqual(['PO-2:1']);
    expect(versions(hub.attach({ epoch: '00000000-0000-0000-0000-000000000000', position: 2 }, () => undefined).missed)).toEqual([
      'PO-1:1',
      'PO-1:2',
      'PO-2:1',
    ]);
    expect(hub.attach('now', () => undefined).missed).toEqual([]);
  });

  it('holds at most its bound of events, dropping the oldest first', async () => {
    const hub = new EmbeddedEventHub({ maxEvents: 3 });
    for (let v = 1; v <= 5; v++) await hub.publish(event('PO-1', v));
    expect(hub.attach({ epoch: 'another', position: 0 }, () => undefined).missed.map((e) => e.version)).toEqual([3, 4, 5]);
    expect(hub.fellBehind({ epoch: hub.epoch, position: 1 })).toBe(true);
    expect(hub.fellBehind({ epoch: hub.epoch, position: 2 })).toBe(false);
  });

  it('refuses an event without a key or a positive version', async () => {
    const hub = new EmbeddedEventHub();
    await expect(hub.publish({ key: '', version: 1, body: '{}' })).rejects.toThrow(TypeError);
    await expect(hub.publish({ key: 'PO-1', version: 0, body: '{}' })).rejects.toThrow(TypeError);
  });
});

/** A reader whose connection breaks resumes from its position: a reconnect misses nothing and repeats nothing. */
describe('the embedded event stream across a broken connection', () => {
  let server: Server;
  let hub: EmbeddedEventHub;
  let stream: EmbeddedEventStream;
  let consumer: EmbeddedEventConsumer;

  beforeAll(async () => {
    hub = new EmbeddedEventHub();
    stream = new EmbeddedEventStream(hub, PROTECTIVE_ORDER_FEED);
    // The subgraph runtime verifies the token before `handle`; this harness serves the route alone.
    server = createServer((req, res) => stream.route.handle(req, res, null as never));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PROTECTIVE_ORDER_FEED.path}`;
    consumer = new EmbeddedEventConsumer({ url, token: async () => 'harness', minBackoffMs: 10, maxBackoffMs: 50 });
  });
  afterAll(async () => {
    await consumer.close();
    stream.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('delivers events published while it was reconnecting, each exactly once, in order', async () => {
    const got: string[] = [];
    await consumer.subscribe((e) => got.push(`${e.key}:${e.version}`));
    await hub.publish(event('PO-1', 1));
    await until(() => got.length === 1, 'the first event');
    // Every open stream ends (a producer restart would do the same): the reader reconnects.
    stream.close();
    await hub.publish(event('PO-1', 2));
    await hub.publish(event('PO-2', 1));
    await until(() => got.length >= 3, 'the events published meanwhile');
    await hub.publish(event('PO-1', 3));
    await until(() => got.length >= 4, 'the event after the reconnect');
    expect(got).toEqual(['PO-1:1', 'PO-1:2', 'PO-2:1', 'PO-1:3']);
  });

  it('answers a malformed cursor with 400 and no event', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PROTECTIVE_ORDER_FEED.path}?after=nonsense`;
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('PO-');
  });
});
