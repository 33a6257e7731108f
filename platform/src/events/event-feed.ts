/**
 * A feed of events from the service that owns a record to the services that tell callers about
 * it (docs/design.md §2, subscriptions). Transport only: what an event means is the producer's
 * and consumer's contract (for protective orders, schema/events/protective-order-events.ts).
 *
 * Delivery is at least once and in order per key: a consumer may see an event twice (after a
 * producer restart, say) and must drop what it has already seen by (key, version).
 */
export interface FeedEvent {
  /** What the event is about (for orders, the order id); order is kept per key. */
  key: string;
  /** Position of the event within its key: 1, 2, 3 … with no gaps. */
  version: number;
  /** The event as JSON text, exactly as the producer wrote it in its transaction. */
  body: string;
}

/** The consuming side: one per process that delivers events to callers (a gateway replica). */
export interface EventFeedConsumer {
  /**
   * Calls `onEvent` for every event published from about now on. Resolves once the consumer is
   * attached (events published after that are not missed). The returned function detaches.
   */
  subscribe(onEvent: (event: FeedEvent) => void): Promise<() => Promise<void>>;
  /** Detaches everything and closes connections. */
  close(): Promise<void>;
}

/** The producing side: the writer's outbox relay publishes committed events through it. */
export interface EventFeedPublisher {
  /** Resolves when the transport has accepted the event (for a durable transport: stored). */
  publish(event: FeedEvent): Promise<void>;
  close(): Promise<void>;
}
