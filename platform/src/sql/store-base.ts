/**
 * What every store offers the runtime, beyond its own port's methods. Part of the SQL layer, which
 * the subgraph runtime builds on and never the other way round (docs/design.md §1).
 */
export interface StoreBase {
  /** Throws when the store cannot answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Statements run so far (tests and the bench count store calls with it). */
  readonly stats: { statements: number };
  /** A fact about the store itself (e.g. `seed`), or null. */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** Runs `work` — inserts into the store's empty tables — without their secondary indexes, rebuilt after. */
  bulkLoad<T>(work: () => Promise<T>): Promise<T>;
}
