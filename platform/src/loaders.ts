import DataLoader from 'dataloader';

/** Most ids one batch sends to a store in one statement. */
export const MAX_BATCH = 500;

/**
 * A DataLoader that also answers without a promise for a key whose batch has already settled.
 * graphql-js waits on every promise a resolver returns (and on a promise for every object holding
 * one), so a wide answer whose lists were loaded ahead — see criminal-history's
 * `loadHistoriesAhead` — resolves synchronously.
 */
export class SettledLoader<K, V> extends DataLoader<K, V> {
  private readonly settled: Map<K, V>;

  constructor(batch: (keys: readonly K[]) => Promise<V[]>) {
    const settled = new Map<K, V>();
    super(
      async (keys) => {
        let values: V[];
        try {
          values = await batch(keys);
        } catch (error) {
          // Each key fails once, and stays failed for this request: DataLoader drops a batch that
          // threw from its cache, so the next load of any of its keys would read the store again.
          const failure = error instanceof Error ? error : new Error(String(error));
          return keys.map(() => failure);
        }
        for (let i = 0; i < keys.length; i++) settled.set(keys[i], values[i]);
        return values;
      },
      { maxBatchSize: MAX_BATCH },
    );
    this.settled = settled;
  }

  /** The value if its batch has settled, else a promise of it (a load, batched as usual). */
  now(key: K): V | Promise<V> {
    return this.settled.has(key) ? (this.settled.get(key) as V) : this.load(key);
  }

  // A key cleared (after a write) must be read again, by `now` as by `load`.
  override clear(key: K): this {
    this.settled.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.settled.clear();
    return super.clearAll();
  }
}

/**
 * A per-request loader of at most one row per key: one store call per batch, rows returned in
 * key order (DataLoader's contract), null for keys with no row.
 */
export function oneByKey<K extends string, R>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): SettledLoader<K, R | null> {
  return new SettledLoader<K, R | null>(async (keys) => {
    const rows = await fetch(keys);
    const found = new Map<K, R>();
    for (const row of rows) found.set(keyOf(row), row);
    return keys.map((k) => found.get(k) ?? null);
  });
}

/**
 * A per-request loader of the rows belonging to each key (an empty list when none): one store
 * call per batch, the store's row order kept within each key.
 */
export function manyByKey<K extends string, R>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): SettledLoader<K, R[]> {
  return new SettledLoader<K, R[]>(async (keys) => {
    const rows = await fetch(keys);
    const groups = new Map<K, R[]>();
    for (const row of rows) {
      const k = keyOf(row);
      const list = groups.get(k);
      if (list) list.push(row);
      else groups.set(k, [row]);
    }
    return keys.map((k) => groups.get(k) ?? []);
  });
}
