/** An event committed with its order's change, as the outbox holds it until the relay publishes it. */
export interface OutboxEntry {
  /** Global, increasing: the relay publishes in this order. */
  readonly seq: number;
  /** The order id (the feed's key). */
  readonly key: string;
  readonly version: number;
  /** The feed body (schema/events/protective-order-events.ts), written in the event's transaction. */
  readonly body: string;
}

/** What the one publisher of the outbox may do while it holds it. */
export interface OutboxSession {
  /** Unpublished entries, oldest first. */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Marks entries published: only after the transport accepted them. */
  markPublished(seqs: readonly number[]): Promise<void>;
  /**
   * Deletes published entries more than `keep` sequence numbers older than the newest published
   * one: the event log keeps every event, the outbox only what an embedded feed may replay.
   */
  prunePublished(keep: number): Promise<void>;
}

/**
 * The orders outbox (docs/design.md §8, decision 29): events written in the same transaction as
 * the order's change, published afterwards by the relay, so a crash between commit and publish
 * loses none.
 */
export interface OrderOutbox {
  /**
   * Whether another process may commit to this outbox (PostgreSQL: several orders replicas). When
   * not (the embedded SQLite file belongs to one orders process), every commit wakes this
   * process's relay and nothing else can add an entry, so the relay need not poll.
   */
  readonly sharedWithOtherWriters: boolean;
  /**
   * Runs `work` as the only publisher of the outbox among every process on this store; resolves
   * false without running it when another process holds the outbox (it publishes meanwhile).
   */
  asPublisher(work: (session: OutboxSession) => Promise<void>): Promise<boolean>;
  /** Calls `listener` after each commit that added to the outbox in this process; returns the detach. */
  onCommit(listener: () => void): () => void;
  /** The `limit` entries published last, oldest first. */
  recentlyPublished(limit: number): Promise<OutboxEntry[]>;
}
