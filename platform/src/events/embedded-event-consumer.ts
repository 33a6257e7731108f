import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { INTERNAL_TOKEN_HEADER } from '../../../access-policy/src';
import type { Logger } from '../logger';
import type { FeedEvent } from './event-feed';
import { ReconnectingFeedConsumer } from './reconnecting-feed-consumer';
import { HEARTBEAT_MS, type StreamLine } from './embedded-event-stream';

/** Options of the embedded stream's reader. */
export interface EmbeddedEventConsumerOptions {
  /** The producer's stream, e.g. `http://127.0.0.1:4002/internal/events`. */
  url: string;
  /** A fresh internal token of the topic's audience, signed for each connection. */
  token: () => Promise<string>;
  logger?: Logger;
  /** First wait before reconnecting, doubled up to `maxBackoffMs`. @default 100 */
  minBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
}

/** A line as a stream line, or null when it is not one (a line never seen from a Custodian producer). */
function parseLine(text: string): StreamLine | null {
  try {
    const v = JSON.parse(text) as StreamLine;
    return v && typeof v === 'object' && typeof v.type === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The embedded transport's consumer (a gateway replica): one connection to the producer's stream,
 * shared by every subscription, kept open for good. It starts at "now", and after any break —
 * the producer restarting, the network, a missed heartbeat — reconnects with back-off and resumes
 * from the last position it had, so a reconnect misses nothing the producer still holds.
 */
export class EmbeddedEventConsumer extends ReconnectingFeedConsumer {
  private cursor = 'now';
  private current: IncomingMessage | null = null;

  constructor(private readonly options: EmbeddedEventConsumerOptions) {
    super(options.logger, { minMs: options.minBackoffMs ?? 100, maxMs: options.maxBackoffMs ?? 5000, unavailable: 'event stream unavailable; reconnecting' });
  }

  protected interrupt(): void {
    this.current?.destroy();
  }

  /** One connection, until it ends; true when it got as far as `ready`. */
  protected async attachOnce(): Promise<boolean> {
    const url = new URL(this.options.url);
    url.searchParams.set('after', this.cursor);
    const token = await this.options.token();
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : request)(
        url,
        { method: 'GET', headers: { [INTERNAL_TOKEN_HEADER]: token, accept: 'application/x-ndjson' } },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    this.current = res;
    if (res.statusCode !== 200) {
      res.resume();
      throw new Error(`the producer answered ${res.statusCode}`);
    }
    let readied = false;
    // Three heartbeats missed: the connection is dead even if no error says so.
    let idle = setTimeout(() => res.destroy(), 3 * HEARTBEAT_MS);
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    // readline ends on the input's 'end' only: a destroyed or broken response must end it too.
    res.once('close', () => lines.close());
    res.once('error', () => lines.close());
    try {
      for await (const text of lines) {
        clearTimeout(idle);
        idle = setTimeout(() => res.destroy(), 3 * HEARTBEAT_MS);
        const line = parseLine(text);
        if (!line) continue;
        if (line.type === 'event') {
          this.cursor = `${line.epoch}:${line.position}`;
          const event: FeedEvent = { key: line.key, version: line.version, body: line.body };
          this.deliver(event);
        } else if (line.type === 'ready') {
          this.cursor = `${line.epoch}:${line.position}`;
          readied = true;
          this.markAttached();
        }
      }
    } finally {
      clearTimeout(idle);
      this.current = null;
    }
    return readied;
  }
}
