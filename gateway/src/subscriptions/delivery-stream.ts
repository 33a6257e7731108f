import type { ProtectiveOrderFeedEvent } from '../../../schema/events/protective-order-events';

/** The event as a subscriber receives it: thin, without the person ids it was matched on. */
export interface ThinOrderEvent {
  orderId: string;
  type: ProtectiveOrderFeedEvent['type'];
  version: number;
  at: string;
}

/** What the stream does between taking an event from its queue and handing it to graphql-ws. */
export interface DeliveryHooks {
  /**
   * Checks the subscriber's rights and records the delivery. Resolves true to deliver; false ends
   * the stream (the hook has closed the connection with its reason).
   */
  beforeDelivery(event: ProtectiveOrderFeedEvent): Promise<boolean>;
  /** Called once a bound is crossed; the hook closes the connection as a slow consumer. */
  onOverflow(): void;
  /** Called once when the stream ends, however it ends. */
  onEnd(): void;
}

/**
 * One subscription's events, from the hub to graphql-ws, as the async iterator graphql's
 * `subscribe` maps to results. graphql-ws asks for the next event only once the previous one is
 * written to the socket, so a subscriber that does not read lets events pile up here: past
 * `maxQueued` (or, sooner, past `maxBufferedBytes` in the socket) the stream overflows and the
 * connection is closed, instead of the gateway's memory growing (docs/design.md §8, decision 28).
 */
export class DeliveryStream implements AsyncIterableIterator<{ protectiveOrderEvents: ThinOrderEvent }> {
  private readonly queue: ProtectiveOrderFeedEvent[] = [];
  private waiting: ((event: ProtectiveOrderFeedEvent | null) => void) | null = null;
  private ended = false;

  constructor(
    private readonly hooks: DeliveryHooks,
    private readonly bounds: { maxQueued: number; maxBufferedBytes: number; bufferedBytes: () => number },
  ) {}

  /** Offers a matching event; it is queued, handed to a waiting reader, or overflows the stream. */
  push(event: ProtectiveOrderFeedEvent): void {
    if (this.ended) return;
    if (this.queue.length >= this.bounds.maxQueued || this.bounds.bufferedBytes() > this.bounds.maxBufferedBytes) {
      this.end();
      this.hooks.onOverflow();
      return;
    }
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = null;
      wake(event);
    } else {
      this.queue.push(event);
    }
  }

  async next(): Promise<IteratorResult<{ protectiveOrderEvents: ThinOrderEvent }>> {
    while (!this.ended) {
      const event = this.queue.shift() ?? (await new Promise<ProtectiveOrderFeedEvent | null>((resolve) => (this.waiting = resolve)));
      if (event === null || this.ended) break;
      if (!(await this.hooks.beforeDelivery(event))) {
        this.end();
        break;
      }
      const { orderId, type, version, at } = event;
      return { done: false, value: { protectiveOrderEvents: { orderId, type, version, at } } };
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<{ protectiveOrderEvents: ThinOrderEvent }>> {
    this.end();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<{ protectiveOrderEvents: ThinOrderEvent }>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Queued events (for tests and metrics). */
  get queued(): number {
    return this.queue.length;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    const wake = this.waiting;
    this.waiting = null;
    wake?.(null);
    this.hooks.onEnd();
  }
}
