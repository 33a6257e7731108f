import type { BackgroundRuntime, SubgraphBackground } from '../../../platform/src';
import { openEventFeedPublisher } from '../../../platform/src/events';
import { PROTECTIVE_ORDER_FEED } from '../../../schema/events/protective-order-feed';
import { startOutboxRelay } from './outbox-relay';
import type { OrdersStore } from './store/orders-store';

/**
 * Events a new embedded hub holds from the start: the last ones published, so a gateway that was
 * reading the previous process takes again what that process accepted but may not have sent.
 */
const REPLAYED_ON_START = 1000;

/**
 * The orders service's event feed: the relay from the outbox to the transport (NATS JetStream
 * when NATS_URL is set, else the embedded stream served on this service's port at
 * `/internal/events`). Started with the service, stopped before its store closes.
 */
export async function startOrderEventFeed(store: OrdersStore, runtime: BackgroundRuntime): Promise<SubgraphBackground> {
  const feed = await openEventFeedPublisher(runtime.config.eventFeed, PROTECTIVE_ORDER_FEED, {
    recent: async () => (await store.outbox.recentlyPublished(REPLAYED_ON_START)).map(({ key, version, body }) => ({ key, version, body })),
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
