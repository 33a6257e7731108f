import { LRUCache } from 'lru-cache';
import type { Logger } from '../../../platform/src';
import type { EventFeedConsumer, FeedEvent } from '../../../platform/src/events/event-feed';
import { parseProtectiveOrderEvent, type ProtectiveOrderFeedEvent } from '../../../schema/events/protective-order-events';

/** Called with each new order event, once, in version order per order. */
export type OrderEventListener = (event: ProtectiveOrderFeedEvent) => void;

/**
 * Orders whose last delivered version is remembered. Beyond this the least recently changed
 * order is forgotten, and a late duplicate of one of its old events could pass again: at a few
 * hundred order changes a minute state-wide, 100,000 orders cover days of redelivery.
 */
const REMEMBERED_ORDERS = 100_000;

/**
 * One feed consumer per gateway process, fanned out in memory to every subscription of this
 * replica (docs/design.md §8, decision 26). The feed delivers at least once and in order per
 * order; this is where duplicates are dropped and an older version is never passed on after a
 * newer one, so each listener sees each (order, version) at most once.
 */
export class OrderEventHub {
  private readonly listeners = new Set<OrderEventListener>();
  // Bounded in bytes too: a key is the producer's text (two bytes a character, and a fixed cost per entry).
  private readonly lastVersion = new LRUCache<string, number>({
    max: REMEMBERED_ORDERS,
    maxSize: 16 * 1024 * 1024,
    sizeCalculation: (_version, key) => 2 * key.length + 64,
  });
  private detach: (() => Promise<void>) | null = null;

  constructor(
    private readonly feed: EventFeedConsumer,
    private readonly logger: Logger,
  ) {}

  /**
   * Attaches to the feed; events published after this resolves reach the listeners. Waits at
   * most `waitMs`: a gateway whose feed is not reachable yet (the orders service or NATS still
   * starting) serves queries meanwhile, and the feed attaches in the background when it can.
   */
  async start(waitMs = Number.POSITIVE_INFINITY): Promise<void> {
    const attached = this.feed
      .subscribe((event) => this.receive(event))
      .then((detach) => {
        this.detach = detach;
      });
    attached.catch((error: Error) => this.logger.error({ reason: error?.message }, 'order event feed could not attach'));
    let timer: NodeJS.Timeout | undefined;
    const waited = Number.isFinite(waitMs) ? new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))) : new Promise<void>(() => undefined);
    await Promise.race([attached.catch(() => undefined), waited]);
    clearTimeout(timer);
    if (!this.detach) this.logger.warn({ waitMs }, 'order event feed not attached yet; subscriptions deliver once it is');
  }

  /** Adds a listener; the returned function removes it. */
  listen(listener: OrderEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Whether the feed has attached. Until it has, a subscription would silently miss what is
   * published (feeds start at "now"), so the endpoint refuses subscriptions meanwhile.
   */
  get attached(): boolean {
    return this.detach !== null;
  }

  /** Listeners attached now (for metrics and tests). */
  get size(): number {
    return this.listeners.size;
  }

  /** Detaches from the feed and closes it. */
  async stop(): Promise<void> {
    await this.detach?.().catch(() => undefined);
    this.detach = null;
    this.listeners.clear();
    await this.feed.close();
  }

  private receive(feedEvent: FeedEvent): void {
    const last = this.lastVersion.get(feedEvent.key) ?? 0;
    if (feedEvent.version <= last) return;
    const event = parseProtectiveOrderEvent(feedEvent.body);
    // The key and version are the transport's; the body must agree, or the event is not trusted.
    if (!event || event.orderId !== feedEvent.key || event.version !== feedEvent.version) {
      this.logger.warn(
        { key: feedEvent.key.slice(0, 64), version: feedEvent.version },
        'order event dropped: body is not a protective-order event of its key and version',
      );
      return;
    }
    this.lastVersion.set(feedEvent.key, feedEvent.version);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One subscription's failure never keeps an event from the others.
        this.logger.error({ reason: (error as Error)?.message }, 'order event listener failed');
      }
    }
  }
}
