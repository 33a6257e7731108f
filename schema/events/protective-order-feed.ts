import type { EventFeedTopic } from '../../platform/src/events/event-feed-topic';

/**
 * Where protective-order events travel (docs/design.md §8, decision 29): the JetStream stream and
 * subjects in production, and the orders service's embedded stream otherwise. The orders service
 * publishes here; the gateway consumes here.
 */
export const PROTECTIVE_ORDER_FEED = {
  stream: 'CUSTODIAN_ORDER_EVENTS',
  subjectPrefix: 'custodian.orders.events',
  path: '/internal/events',
  // Not 'orders': the gateway's token for a GraphQL call to orders must not open the stream.
  audience: 'orders:events',
} as const satisfies EventFeedTopic;
