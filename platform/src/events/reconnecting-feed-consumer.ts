import type { Logger } from '../logger';
import type { EventFeedConsumer, FeedEvent } from './event-feed';

type Handler = (event: FeedEvent) => void;

/**
 * What every transport's consumer shares: one attachment to the feed for the whole process,
 * fanned out to every subscriber, kept for good — after any break it waits (doubling from
 * `minMs` to `maxMs`, back to `minMs` after an attachment that held) and attaches again. A
 * transport says only how to attach once (`attachOnce`) and how to cut an attachment short.
 */
export abstract class ReconnectingFeedConsumer implements EventFeedConsumer {
  private readonly handlers = new Set<Handler>();
  private running: Promise<void> | null = null;
  protected closed = false;
  private attached = false;
  private waiters: Array<() => void> = [];
  private wakeSleep: (() => void) | null = null;

  protected constructor(
    protected readonly logger: Logger | undefined,
    private readonly backoff: { minMs: number; maxMs: number; unavailable: string },
  ) {}

  /** Attaches once and delivers until the attachment ends; resolves true when it got as far as attached. */
  protected abstract attachOnce(): Promise<boolean>;
  /** Ends the attachment under way (the consumer is closing). */
  protected abstract interrupt(): void;
  /** Releases the transport's connection once the loop has ended. */
  protected async release(): Promise<void> {}

  async subscribe(onEvent: Handler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('the event consumer is closed');
    this.handlers.add(onEvent);
    this.running ??= this.run();
    if (!this.attached) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return async () => void this.handlers.delete(onEvent);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    this.interrupt();
    this.wakeSleep?.();
    for (const w of this.waiters.splice(0)) w();
    await this.running;
    await this.release();
  }

  /** The transport is attached: events published from now on reach the subscribers. */
  protected markAttached(): void {
    this.attached = true;
    for (const w of this.waiters.splice(0)) w();
  }

  protected deliver(event: FeedEvent): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (error) {
        // One subscriber's failure must not cost the others their events, nor the connection.
        this.logger?.error({ reason: (error as Error).message }, 'an event handler failed');
      }
    }
  }

  private async run(): Promise<void> {
    let backoff = this.backoff.minMs;
    while (!this.closed) {
      let held = false;
      try {
        held = await this.attachOnce();
      } catch (error) {
        if (!this.closed) this.logger?.warn({ reason: (error as Error).message }, this.backoff.unavailable);
      }
      this.attached = false;
      if (this.closed) break;
      backoff = held ? this.backoff.minMs : Math.min(backoff * 2, this.backoff.maxMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
