import {
  connect,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type NatsConnection,
} from 'nats';
import type { Logger } from '../logger';
import type { EventFeedPublisher, FeedEvent } from './event-feed';
import type { EventFeedConfig } from './event-feed-config';
import type { EventFeedTopic } from './event-feed-topic';
import { ReconnectingFeedConsumer } from './reconnecting-feed-consumer';

type NatsSettings = NonNullable<EventFeedConfig['nats']>;

/** JetStream drops a message whose id it has stored within this window: a relay's retry after a lost acknowledgement. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** How long a publish waits for the stream's acknowledgement before the relay backs off and retries. */
const PUBLISH_TIMEOUT_MS = 5_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A key as one subject token: NATS tokens hold no `.`, `*`, `>` or white space. */
export function subjectOf(topic: EventFeedTopic, key: string): string {
  return `${topic.subjectPrefix}.${encodeURIComponent(key).replace(/\./g, '%2E').replace(/\*/g, '%2A')}`;
}

function connectTo(settings: NatsSettings, name: string): Promise<NatsConnection> {
  // Once connected, reconnect for ever: the feed outlives any NATS restart.
  return connect({
    servers: settings.servers,
    ...(settings.token ? { token: settings.token } : {}),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    timeout: 5000,
  });
}

/**
 * Creates the topic's stream, or brings its limits to the configured ones. Both sides call it, so
 * whichever starts first finds the stream ready. Limits retention: every replica reads every event
 * (a work queue would hand each to one).
 */
export async function ensureStream(nc: NatsConnection, topic: EventFeedTopic, settings: NatsSettings): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const limits = {
    subjects: [`${topic.subjectPrefix}.>`],
    max_age: nanos(settings.maxAgeSeconds * 1000),
    max_bytes: settings.maxBytes,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, settings.maxAgeSeconds * 1000)),
  };
  try {
    await jsm.streams.info(topic.stream);
  } catch {
    try {
      await jsm.streams.add({ name: topic.stream, retention: RetentionPolicy.Limits, storage: StorageType.File, ...limits });
      return;
    } catch {
      // Another service created it meanwhile: its limits are brought in line below.
    }
  }
  await jsm.streams.update(topic.stream, limits);
}

/** A feed event from a message's data, or null when the data is not one. */
function parseFeedEvent(data: Uint8Array): FeedEvent | null {
  try {
    const v = JSON.parse(decoder.decode(data)) as Partial<FeedEvent>;
    if (typeof v.key !== 'string' || !Number.isInteger(v.version) || typeof v.body !== 'string') return null;
    return { key: v.key, version: v.version!, body: v.body };
  } catch {
    return null;
  }
}

/**
 * The production publisher: each event to JetStream on `<prefix>.<key>`, with the message id
 * `<key>:<version>` so the stream drops a retried duplicate. `publish` resolves when the stream
 * has stored the event; while NATS is away it rejects and the relay retries.
 */
export class NatsEventPublisher implements EventFeedPublisher {
  private ready: Promise<{ nc: NatsConnection; js: JetStreamClient }> | null = null;
  private streamChecked = false;

  constructor(
    private readonly settings: NatsSettings,
    private readonly topic: EventFeedTopic,
    private readonly name = 'custodian-publisher',
  ) {}

  async publish(event: FeedEvent): Promise<void> {
    const { nc, js } = await this.connection();
    try {
      // Checked again after any failure: a NATS that came back without its store has no stream.
      if (!this.streamChecked) {
        await ensureStream(nc, this.topic, this.settings);
        this.streamChecked = true;
      }
      await js.publish(subjectOf(this.topic, event.key), encoder.encode(JSON.stringify({ key: event.key, version: event.version, body: event.body })), {
        msgID: `${event.key}:${event.version}`,
        timeout: PUBLISH_TIMEOUT_MS,
      });
    } catch (error) {
      this.streamChecked = false;
      throw error;
    }
  }

  async close(): Promise<void> {
    const ready = this.ready;
    this.ready = null;
    if (ready) await ready.then(({ nc }) => nc.close()).catch(() => undefined);
  }

  private connection(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    if (this.ready) return this.ready;
    const ready = connectTo(this.settings, this.name).then((nc) => ({ nc, js: nc.jetstream() }));
    // A first connection that failed is tried afresh on the next publish.
    ready.catch(() => {
      if (this.ready === ready) this.ready = null;
    });
    this.ready = ready;
    return ready;
  }
}

/**
 * The production consumer (one per gateway replica): an ordered JetStream consumer of the topic,
 * starting at "new", so that every replica sees every event whichever writer produced it. The
 * client recreates the consumer at the next sequence after a NATS restart; should the whole
 * connection be lost, this reconnects and resumes after the last sequence it delivered.
 */
export class NatsEventConsumer extends ReconnectingFeedConsumer {
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;
  private lastSequence = 0;

  constructor(
    private readonly settings: NatsSettings,
    private readonly topic: EventFeedTopic,
    logger?: Logger,
    private readonly name = 'custodian-consumer',
  ) {
    super(logger, { minMs: 100, maxMs: 5000, unavailable: 'event feed unavailable; reconnecting' });
  }

  protected interrupt(): void {
    this.messages?.stop();
  }

  protected override async release(): Promise<void> {
    await this.nc?.close().catch(() => undefined);
  }

  protected async attachOnce(): Promise<boolean> {
    this.nc ??= await connectTo(this.settings, this.name);
    await ensureStream(this.nc, this.topic, this.settings);
    const js = this.nc.jetstream();
    const consumer = await js.consumers.get(this.topic.stream, {
      // One subject as a string: a list asks for multi-filter consumers, which servers before 2.10 lack.
      filterSubjects: `${this.topic.subjectPrefix}.>`,
      ...(this.lastSequence > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastSequence + 1 }
        : { deliver_policy: DeliverPolicy.New }),
    });
    const messages = await consumer.consume();
    this.messages = messages;
    this.markAttached();
    if (this.closed) messages.stop();
    for await (const m of messages) {
      this.lastSequence = m.seq;
      const event = parseFeedEvent(m.data);
      if (!event) {
        this.logger?.warn({ subject: m.subject }, 'dropped a message that is not a feed event');
        continue;
      }
      this.deliver(event);
    }
    return true;
  }
}
