import type { EventFeedConsumer, FeedEvent } from '../../platform/src/events';
import { parseProtectiveOrderEvent, type ProtectiveOrderFeedEvent } from '../../schema/events/protective-order-events';

/** What a test's subscriber has received: every delivery, and the events after dropping duplicates by (key, version). */
export interface Received {
  readonly deliveries: FeedEvent[];
  /** Each (key, version) once, in arrival order, as the gateway delivers them. */
  readonly events: ProtectiveOrderFeedEvent[];
  /** The deduplicated events of one order, in arrival order. */
  of(orderId: string): ProtectiveOrderFeedEvent[];
  /** Waits (generous deadline, no fixed sleeps) until `done` holds of what has arrived. */
  until(done: (r: Received) => boolean, timeoutMs?: number): Promise<void>;
  detach(): Promise<void>;
}

/** Subscribes to a consumer and keeps what arrives (resolves once the consumer is attached). */
export async function receive(consumer: EventFeedConsumer): Promise<Received> {
  const deliveries: FeedEvent[] = [];
  const events: ProtectiveOrderFeedEvent[] = [];
  const seen = new Set<string>();
  const detach = await consumer.subscribe((event) => {
    deliveries.push(event);
    const id = `${event.key}\u0000${event.version}`;
    if (seen.has(id)) return;
    seen.add(id);
    const parsed = parseProtectiveOrderEvent(event.body);
    if (parsed) events.push(parsed);
  });
  const received: Received = {
    deliveries,
    events,
    of: (orderId) => events.filter((e) => e.orderId === orderId),
    async until(done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(received)) {
        if (Date.now() > deadline)
          throw new Error(`events did not arrive in ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.orderId, e.version, e.type]))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    detach,
  };
  return received;
}
