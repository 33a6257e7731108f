import { randomUUID } from 'node:crypto';
import type { EventFeedPublisher, FeedEvent } from './event-feed';

/** An event as the hub holds it: with its position in this hub's life (1, 2, 3 …). */
export interface HubEntry extends FeedEvent {
  readonly position: number;
}

/** Where a reader of the hub stands: this hub's epoch and the last position it has, or nothing yet. */
export type HubCursor = { epoch: string; position: number } | 'now';

/** Options of an embedded hub. */
export interface EmbeddedEventHubOptions {
  /**
   * Events to hold before any is published: the producer's most recently published ones, so a
   * reader that was attached to this hub's predecessor (a producer restart) takes them again
   * and misses nothing the predecessor accepted but could not send.
   */
  initial?: readonly FeedEvent[];
  /** Most events held for readers that reconnect. @default 10_000 */
  maxEvents?: number;
  /** Most bytes (of keys and bodies, two a character) held for them. @default 16 MiB */
  maxBytes?: number;
}

function validate(event: FeedEvent): void {
  if (typeof event.key !== 'string' || event.key === '' || !Number.isInteger(event.version) || event.version < 1 || typeof event.body !== 'string') {
    throw new TypeError('a feed event needs a non-empty key, a positive integer version and a text body');
  }
}

/**
 * The embedded transport's publisher: an in-process hub that hands each event to every attached
 * reader and keeps the latest ones (bounded in entries and bytes) so that a reader that lost its
 * connection resumes from its cursor. Positions are this hub's own; `epoch` changes with every
 * hub, and a reader that comes back with another epoch's cursor takes everything held (it drops
 * duplicates by key and version, as every consumer of the feed does).
 */
export class EmbeddedEventHub implements EventFeedPublisher {
  /** Identifies this hub's life: positions of another epoch mean nothing here. */
  readonly epoch = randomUUID();
  private readonly held: HubEntry[] = [];
  private heldBytes = 0;
  private last = 0;
  private readonly readers = new Set<(entry: HubEntry) => void>();
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private closed = false;

  constructor(options: EmbeddedEventHubOptions = {}) {
    this.maxEvents = options.maxEvents ?? 10_000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    for (const event of options.initial ?? []) this.hold(event);
  }

  /** The position of the newest event (0 before any). */
  get position(): number {
    return this.last;
  }

  /** Accepted as soon as it is held and handed to the readers attached now. */
  async publish(event: FeedEvent): Promise<void> {
    if (this.closed) throw new Error('the event hub is closed');
    const entry = this.hold(event);
    // Held, so accepted: a reader's failure is that reader's (it resumes from its cursor), never
    // the publisher's, which would otherwise publish the event again.
    for (const reader of this.readers) {
      try {
        reader(entry);
      } catch {
        this.readers.delete(reader);
      }
    }
  }

  /**
   * Attaches a reader from a cursor: returns the held events it has not seen (all of them for
   * another epoch's cursor, none for 'now') and calls `reader` for every event published after.
   * Both happen in one turn of the event loop, so nothing falls between them.
   */
  attach(cursor: HubCursor, reader: (entry: HubEntry) => void): { missed: HubEntry[]; detach: () => void } {
    const missed = cursor === 'now' ? [] : cursor.epoch === this.epoch ? this.held.filter((e) => e.position > cursor.position) : [...this.held];
    this.readers.add(reader);
    return { missed, detach: () => this.readers.delete(reader) };
  }

  /** True when a cursor of this epoch asks for events older than those still held (they are gone). */
  fellBehind(cursor: HubCursor): boolean {
    return cursor !== 'now' && cursor.epoch === this.epoch && this.held.length > 0 && cursor.position < this.held[0].position - 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.readers.clear();
  }

  private hold(event: FeedEvent): HubEntry {
    validate(event);
    const entry: HubEntry = { key: event.key, version: event.version, body: event.body, position: ++this.last };
    this.held.push(entry);
    this.heldBytes += 2 * (entry.key.length + entry.body.length) + 64;
    while (this.held.length > this.maxEvents || (this.heldBytes > this.maxBytes && this.held.length > 1)) {
      const dropped = this.held.shift()!;
      this.heldBytes -= 2 * (dropped.key.length + dropped.body.length) + 64;
    }
    return entry;
  }
}
