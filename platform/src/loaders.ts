import DataLoader from 'dataloader';

/** Most ids one batch sends to a store in one statement. */
export const MAX_BATCH = 500;

/**
 * A per-request loader of at most one row per key: one store call per batch, rows returned in
 * key order (DataLoader's contract), null for keys with no row.
 */
export function oneByKey<K extends string, R>(
  fetch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(
    async (keys) => {
      const rows = await fetch(keys);
      const found = new Map<K, R>();
      for (const row of rows) found.set(keyOf(row), row);
      return keys.map((k) => found.get(k) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/**
 * A per-request loader of the rows belonging to each key (an empty list when none): one store
 * call per batch, the store's row order kept within each key.
 */
export function manyByKey<K extends string, R>(
  fetch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(
    async (keys) => {
      const rows = await fetch(keys);
      const groups = new Map<K, R[]>();
      for (const row of rows) {
        const k = keyOf(row);
        const list = groups.get(k);
        if (list) list.push(row);
        else groups.set(k, [row]);
      }
      return keys.map((k) => groups.get(k) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}
