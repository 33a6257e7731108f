import type { Logger } from '../../../platform/src';
import type { EventFeedPublisher } from '../../../platform/src/events';
import type { OrderOutbox } from './store/order-outbox';

/** Options of the relay; the defaults are the service's. */
export interface OutboxRelayOptions {
  logger?: Logger;
  /**
   * Backstop poll: another orders replica may have committed (its commit wakes only its own
   * relay), or this one's wake-up came while another replica held the outbox. @default 1000 when
   * the outbox is shared with other writers; none otherwise (every commit wakes the relay, and a
   * relay that polled an idle store would read it every second for nothing)
   */
  pollMs?: number | null;
  /** Entries read per pass. @default 100 */
  batchSize?: number;
  /** First wait after the transport refused, doubled up to `maxBackoffMs`. @default 200 */
  minBackoffMs?: number;
  /** @default 10_000 */
  maxBackoffMs?: number;
  /**
   * Published entries kept (the newest), for an embedded feed to replay after a restart; older
   * ones are deleted at most once a minute, so the outbox stays small. @default 10_000
   */
  keepPublished?: number;
  /** @default 60_000 */
  pruneEveryMs?: number;
}

/** A running relay. */
export interface OutboxRelay {
  /** Publishes what is pending now, without waiting for the poll (after a commit; tests). */
  wake(): void;
  /** Finishes the pass under way and stops. */
  stop(): Promise<void>;
}

/**
 * The outbox relay (docs/design.md §8, decision 29): publishes the outbox's unpublished events in
 * sequence order and marks each published only after the transport accepted it, so the feed is
 * at least once and in order per order. Woken right after each commit in this process, and polls
 * as a backstop. When the transport refuses it stops at that event (nothing after it overtakes
 * it), backs off and tries again, for ever: an event is never dropped.
 */
export function startOutboxRelay(outbox: OrderOutbox, publisher: EventFeedPublisher, options: OutboxRelayOptions = {}): OutboxRelay {
  const pollMs = options.pollMs !== undefined ? options.pollMs : outbox.sharedWithOtherWriters ? 1000 : null;
  const batchSize = options.batchSize ?? 100;
  const minBackoff = options.minBackoffMs ?? 200;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const keepPublished = options.keepPublished ?? 10_000;
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  let prunedAt = 0;
  let stopped = false;
  // A wake-up during a pass is kept, so a commit that pass did not see is published next.
  let woken = false;
  let interrupt: (() => void) | null = null;

  const wake = () => {
    woken = true;
    interrupt?.();
  };
  /** Waits `ms`, or with null until a wake-up or stop only. */
  const pause = (ms: number | null) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      const timer = ms === null ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = null;
        resolve();
      }
      interrupt = done;
    });

  /** One pass: true when the batch was full (more may be waiting). */
  const pass = async (): Promise<boolean> => {
    let failure: unknown = null;
    let full = false;
    await outbox.asPublisher(async (session) => {
      const batch = await session.pending(batchSize);
      const done: number[] = [];
      for (const entry of batch) {
        if (stopped) break;
        try {
          await publisher.publish({ key: entry.key, version: entry.version, body: entry.body });
        } catch (error) {
          failure = error;
          break;
        }
        done.push(entry.seq);
      }
      await session.markPublished(done);
      if (done.length > 0 && Date.now() - prunedAt >= pruneEveryMs) {
        prunedAt = Date.now();
        await session.prunePublished(keepPublished);
      }
      full = batch.length === batchSize && done.length === batch.length;
    });
    if (failure) throw failure instanceof Error ? failure : new Error('publishing failed', { cause: failure });
    return full;
  };

  const loop = (async () => {
    let backoff = minBackoff;
    while (!stopped) {
      woken = false;
      let more: boolean;
      try {
        more = await pass();
        backoff = minBackoff;
      } catch (error) {
        options.logger?.warn(
          { reason: (error as Error).message, retryInMs: backoff },
          'outbox relay pass failed (transport or store); the outbox keeps the events and retries',
        );
        const wait = backoff;
        backoff = Math.min(backoff * 2, maxBackoff);
        // A commit's wake-up must not cut the back-off short: the transport is what is away.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          interrupt = () => {
            if (stopped) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
        interrupt = null;
        continue;
      }
      if (!more) await pause(pollMs);
    }
  })();
  const detach = outbox.onCommit(wake);

  return {
    wake,
    async stop() {
      stopped = true;
      detach();
      interrupt?.();
      await loop;
    },
  };
}
