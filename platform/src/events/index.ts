/** The event feed: its contract, its configuration, and its two transports (embedded, NATS JetStream). */
export * from './event-feed';
export * from './event-feed-config';
export * from './event-feed-topic';
export * from './embedded-event-hub';
export * from './embedded-event-stream';
export * from './embedded-event-consumer';
export * from './nats-event-feed';
export * from './open-event-feed';
