import { doubleMetaphone } from 'double-metaphone';
import { LRUCache } from 'lru-cache';

/**
 * How last names are keyed for lookup, by the store (columns written at seeding) and by the
 * search (keys it asks for) alike: the two must compute them the same way, so both use these.
 */

/**
 * The name caches' bounds, in entries and in bytes (two per character, an upper estimate, plus a
 * fixed cost per entry). Their keys include the caller's search terms: bounded in entries only, a
 * 95 KB last name kept about 230 KB a search, and a 96 MB heap died after about 312 searches. An
 * entry over `maxEntrySize` (a name of more than about 200 characters, which no recorded name is)
 * is computed and not kept.
 */
export const NAME_CACHE_BOUNDS = { max: 50_000, maxSize: 4 * 1024 * 1024, maxEntrySize: 1024 } as const;
const ENTRY_OVERHEAD_BYTES = 96;
const bytesOf = (...texts: string[]) => ENTRY_OVERHEAD_BYTES + texts.reduce((sum, t) => sum + 2 * t.length, 0);

const normalised = new LRUCache<string, string>({ ...NAME_CACHE_BOUNDS, sizeCalculation: (n, name) => bytesOf(name, n) });

/** Upper-case letters only: how names are compared. (Candidates' names repeat: computed once each.) */
export function normaliseName(name: string): string {
  let n = normalised.get(name);
  if (n === undefined) {
    n = name.toUpperCase().replace(/[^A-Z]/g, '');
    normalised.set(name, n);
  }
  return n;
}

/** Names repeat endlessly across candidates: their codes are computed once. */
const codeCache = new LRUCache<string, [string, string]>({ ...NAME_CACHE_BOUNDS, sizeCalculation: (codes, n) => bytesOf(n, ...codes) });

/** Double Metaphone codes (primary, alternate) of a name; used for the indexed lookup and scoring. */
export function phoneticCodes(name: string): [string, string] {
  const n = normaliseName(name);
  if (!n) return ['', ''];
  let codes = codeCache.get(n);
  if (!codes) {
    const [primary, alternate] = doubleMetaphone(n);
    codes = [primary, alternate || primary];
    codeCache.set(n, codes);
  }
  return codes;
}

/** One row of `person_search_keys`: a name of a person under one of its last-name and first-name codes. */
export type SearchKeyRow = [personId: string, lastCode: string, firstCode: string, lastNorm: string, firstNorm: string, dateOfBirth: string];

/**
 * The search-key rows of a person's names (their own and each alias's): one per distinct
 * (last-name code, first-name code) pair, so every lookup of the search is one index range.
 */
export function searchKeyRows(personId: string, dateOfBirth: string, names: ReadonlyArray<{ last: string; first: string }>): SearchKeyRow[] {
  const rows: SearchKeyRow[] = [];
  // One name's code pairs are distinct already (seeding keys a million such persons): only
  // several names can repeat a row.
  const seen = names.length > 1 ? new Set<string>() : null;
  for (const name of names) {
    const lastNorm = normaliseName(name.last);
    const firstNorm = normaliseName(name.first);
    const [last1, last2] = phoneticCodes(lastNorm);
    const [first1, first2] = phoneticCodes(firstNorm);
    for (const lastCode of last2 === last1 ? [last1] : [last1, last2]) {
      for (const firstCode of first2 === first1 ? [first1] : [first1, first2]) {
        if (seen) {
          const key = `${lastCode}\u0000${firstCode}\u0000${lastNorm}\u0000${firstNorm}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        rows.push([personId, lastCode, firstCode, lastNorm, firstNorm, dateOfBirth]);
      }
    }
  }
  return rows;
}
