import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { errorBody, sendJson } from '../http-json';
import type { InternalRoute } from '../subgraph/subgraph-module';
import type { EmbeddedEventHub, HubCursor, HubEntry } from './embedded-event-hub';
import type { EventFeedTopic } from './event-feed-topic';

/** A line of the embedded stream (JSON lines, `application/x-ndjson`). */
export type StreamLine =
  | ({ type: 'event'; epoch: string } & HubEntry)
  /** Everything up to `position` has been sent: the reader's cursor may move there. */
  | { type: 'ready'; epoch: string; position: number }
  | { type: 'heartbeat' };

/** A line every this often, so that a reader notices a dead connection (it gives up after three missed). */
export const HEARTBEAT_MS = 15_000;
/**
 * Bytes a reader may leave unread before it is cut off: it reconnects and resumes from its cursor,
 * and the producer's memory never grows with a slow gateway.
 */
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

const CURSOR = /^([0-9a-f-]{36}):(\d{1,15})$/;

/** The cursor of `?after=`: `now` (or absent), or `<epoch>:<position>`; null when malformed. */
export function parseCursor(value: string | null): HubCursor | null {
  if (value === null || value === 'now') return 'now';
  const m = CURSOR.exec(value);
  return m ? { epoch: m[1], position: Number(m[2]) } : null;
}

/**
 * The embedded transport's wire: `GET <topic.path>?after=<cursor>` on the producer's own port, for
 * a caller holding an internal token of the topic's audience (checked by the subgraph runtime
 * before `handle` runs). It sends the events the cursor has not seen, a `ready` line, then each
 * new event as it is published, as JSON lines.
 */
export class EmbeddedEventStream {
  private readonly open = new Set<ServerResponse>();

  constructor(
    private readonly hub: EmbeddedEventHub,
    private readonly topic: EventFeedTopic,
    private readonly logger?: Logger,
  ) {}

  /** The route to serve on the producer's port. */
  get route(): InternalRoute {
    return { path: this.topic.path, audience: this.topic.audience, handle: (req, res) => this.handle(req, res) };
  }

  /** Ends every open stream (shutdown): readers reconnect to the next producer. */
  close(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') return sendJson(res, 405, errorBody('Method not allowed', 'METHOD_NOT_ALLOWED'));
    const cursor = parseCursor(new URL(req.url ?? '/', 'http://localhost').searchParams.get('after'));
    if (!cursor) return sendJson(res, 400, errorBody('Malformed cursor', 'BAD_REQUEST'));
    if (this.hub.fellBehind(cursor)) this.logger?.warn({ path: this.topic.path }, 'a reader resumed from before the oldest event held; it takes what is held');
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    const epoch = this.hub.epoch;
    const send = (line: StreamLine) => {
      // Ended (shutdown) or broken, and not yet detached: the reader resumes elsewhere.
      if (res.writableEnded || res.destroyed) return;
      if (res.writableLength > MAX_UNREAD_BYTES) {
        this.logger?.warn({ path: this.topic.path }, 'cut off a reader that stopped reading; it resumes from its cursor');
        res.destroy();
        return;
      }
      res.write(JSON.stringify(line) + '\n');
    };
    const { missed, detach } = this.hub.attach(cursor, (entry) => send({ type: 'event', epoch, ...entry }));
    for (const entry of missed) send({ type: 'event', epoch, ...entry });
    send({ type: 'ready', epoch, position: this.hub.position });
    const heartbeat = setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS);
    heartbeat.unref();
    this.open.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      detach();
      this.open.delete(res);
    });
  }
}
