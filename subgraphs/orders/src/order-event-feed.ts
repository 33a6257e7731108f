import type { BackgroundRuntime, SubgraphBackground } from '../../../platform/src';
import { openEventFeedPublisher } from '../../../platform/src/events';
import type { FeedEvent } from '../../../platform/src/events';
import { parseProtectiveOrderEvent } from '../../../schema/events/protective-order-events';
import { PROTECTIVE_ORDER_FEED } from '../../../schema/events/protective-order-feed';
import { startOutboxRelay } from './outbox-relay';
import type { OutboxEntry } from './store/order-outbox';
import type { OrdersStore } from './store/orders-store';

/** Most events a new embedded hub holds from the start. */
const REPLAYED_ON_START = 1000;
/**
 * How far before the newest published event the replay reaches. What it is for — events the
 * previous process accepted but had not yet sent — was published seconds before it stopped,
 * however long ago that was; older history would reach a gateway that never saw it as news.
 */
const REPLAY_WINDOW_MS = 5 * 60_000;

/**
 * The events a new embedded hub starts with: the last ones published (oldest first), back to
 * REPLAY_WINDOW_MS before the newest of them, so a gateway that was reading the previous process
 * takes again what that process accepted but may not have sent, and nothing much older.
 */
export function replayOnStart(published: readonly OutboxEntry[]): FeedEvent[] {
  const times = published.map((e) => Date.parse(parseProtectiveOrderEvent(e.body)?.at ?? ''));
  const newest = Math.max(...times.filter((t) => !Number.isNaN(t)));
  return published.filter((_e, i) => times[i] >= newest - REPLAY_WINDOW_MS).map(({ key, version, body }) => ({ key, version, body }));
}

/**
 * The orders service's event feed: the relay from the outbox to the transport (NATS JetStream
 * when NATS_URL is set, else the embedded stream served on this service's port at
 * `/internal/events`). Started with the service, stopped before its store closes.
 */
export async function startOrderEventFeed(store: OrdersStore, runtime: BackgroundRuntime): Promise<SubgraphBackground> {
  const feed = await openEventFeedPublisher(runtime.config.eventFeed, PROTECTIVE_ORDER_FEED, {
    recent: async () => replayOnStart(await store.outbox.recentlyPublished(REPLAYED_ON_START)),
    logger: runtime.logger,
    name: 'custodian-orders',
  });
  const relay = startOutboxRelay(store.outbox, feed.publisher, { logger: runtime.logger });
  return {
    routes: feed.routes,
    async stop() {
      await relay.stop();
      await feed.close();
    },
  };
}
