import { doubleMetaphone } from 'double-metaphone';

/**
 * How last names are keyed for lookup, by the store (columns written at seeding) and by the
 * search (keys it asks for) alike: the two must compute them the same way, so both use these.
 */

const normalised = new Map<string, string>();

/** Upper-case letters only: how names are compared. (Candidates' names repeat: computed once each.) */
export function normaliseName(name: string): string {
  let n = normalised.get(name);
  if (n === undefined) {
    n = name.toUpperCase().replace(/[^A-Z]/g, '');
    if (normalised.size > 50_000) normalised.clear();
    normalised.set(name, n);
  }
  return n;
}

/** Names repeat endlessly across candidates: their codes are computed once. */
const codeCache = new Map<string, [string, string]>();

/** Double Metaphone codes (primary, alternate) of a name; used for the indexed lookup and scoring. */
export function phoneticCodes(name: string): [string, string] {
  const n = normaliseName(name);
  if (!n) return ['', ''];
  let codes = codeCache.get(n);
  if (!codes) {
    const [primary, alternate] = doubleMetaphone(n);
    codes = [primary, alternate || primary];
    if (codeCache.size > 50_000) codeCache.clear();
    codeCache.set(n, codes);
  }
  return codes;
}
