import type { KeyLike } from 'jose';
import { signInternalToken, type Caller } from '../../../access-policy/src';
import type { Logger } from '../logger';
import type { InternalRoute } from '../subgraph/subgraph-module';
import { EmbeddedEventConsumer } from './embedded-event-consumer';
import { EmbeddedEventHub } from './embedded-event-hub';
import { EmbeddedEventStream } from './embedded-event-stream';
import type { EventFeedConsumer, EventFeedPublisher, FeedEvent } from './event-feed';
import type { EventFeedConfig } from './event-feed-config';
import type { EventFeedTopic } from './event-feed-topic';
import { NatsEventConsumer, NatsEventPublisher } from './nats-event-feed';

/** A producer's side of a feed: the publisher, and the routes its service serves for it (the embedded stream). */
export interface OpenedEventFeedPublisher {
  readonly publisher: EventFeedPublisher;
  /** Served on the producer's port behind an internal token of the topic's audience; none with NATS. */
  readonly routes: readonly InternalRoute[];
  /** Closes the publisher and ends open streams. */
  close(): Promise<void>;
}

/**
 * Opens the producing side of a feed (docs/design.md §8, decision 29): JetStream when NATS_URL is
 * set, otherwise an in-process hub served to the gateways as a stream on the producer's own port.
 * `recent` gives the embedded hub the events published last, so that a gateway that was reading
 * this producer's predecessor takes them again after a restart.
 */
export async function openEventFeedPublisher(
  config: EventFeedConfig,
  topic: EventFeedTopic,
  options: { recent?: () => Promise<FeedEvent[]>; logger?: Logger; name?: string } = {},
): Promise<OpenedEventFeedPublisher> {
  if (config.nats) {
    const publisher = new NatsEventPublisher(config.nats, topic, options.name);
    return { publisher, routes: [], close: () => publisher.close() };
  }
  const hub = new EmbeddedEventHub({ initial: options.recent ? await options.recent() : [] });
  const stream = new EmbeddedEventStream(hub, topic, options.logger);
  return {
    publisher: hub,
    routes: [stream.route],
    async close() {
      stream.close();
      await hub.close();
    },
  };
}

/** The identity the gateway signs the embedded stream's token with: a service, with no user's scopes. */
const FEED_READER: Caller = {
  sub: 'custodian-gateway',
  name: 'Custodian gateway (event feed)',
  ori: '',
  client: null,
  scopes: new Set(),
  purposes: new Set(),
  purpose: null,
  reason: null,
  requestId: 'event-feed',
};

/** How a consumer reaches the embedded stream. */
export interface EmbeddedFeedAccess {
  /** The producer's stream URL: `eventStreamUrl(<producer's /graphql URL>, topic)`. */
  streamUrl: string;
  /** The gateway's internal-token private key (the one it signs subgraph calls with). */
  internalTokenKey: KeyLike | Uint8Array;
}

/** The embedded stream's URL on the producer whose GraphQL endpoint is `subgraphUrl`. */
export function eventStreamUrl(subgraphUrl: string, topic: EventFeedTopic): string {
  return new URL(topic.path, subgraphUrl).toString();
}

/**
 * Opens the consuming side of a feed, one per gateway replica: an ordered JetStream consumer when
 * NATS_URL is set, otherwise a reader of the producer's embedded stream that signs a token of the
 * topic's audience for each connection (an ordinary subgraph-call token does not open it).
 * Delivery is at least once and in order per key: drop duplicates by (key, version).
 */
export function openEventFeedConsumer(config: EventFeedConfig, topic: EventFeedTopic, access: EmbeddedFeedAccess, logger?: Logger): EventFeedConsumer {
  if (config.nats) return new NatsEventConsumer(config.nats, topic, logger);
  return new EmbeddedEventConsumer({
    url: access.streamUrl,
    token: () => signInternalToken(FEED_READER, topic.audience, access.internalTokenKey),
    logger,
  });
}
