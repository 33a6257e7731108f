/**
 * Where one feed travels, for every transport (docs/design.md §8, decision 29): the JetStream stream
 * and subjects, and the embedded stream's path and internal-token audience on the producer's port.
 * The producer's and consumer's contract names it (for protective orders,
 * schema/events/protective-order-feed.ts), so the transports stay generic.
 */
export interface EventFeedTopic {
  /** JetStream stream name, e.g. `CUSTODIAN_ORDER_EVENTS`. */
  readonly stream: string;
  /** Subjects are `<prefix>.<key>`; the stream holds `<prefix>.>`. */
  readonly subjectPrefix: string;
  /** Path of the embedded stream on the producer's port, e.g. `/internal/events`. */
  readonly path: string;
  /**
   * Internal-token audience the embedded stream admits. Never a subgraph's own name: a token the
   * gateway signed for a GraphQL call to that subgraph must not open the stream.
   */
  readonly audience: string;
}
