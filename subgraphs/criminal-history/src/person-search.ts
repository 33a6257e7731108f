import { distance } from 'fastest-levenshtein';
import { Scope, type Caller } from '../../../access-policy/src';
import { normaliseName, phoneticCodes } from './name-keys';
import type { SearchCandidate, SearchKeyQuery } from './store/criminal-history-store';

/** A search as a caller asked it. */
export interface PersonSearch {
  lastName: string;
  firstName?: string | null;
  dateOfBirth?: string | null;
  sex?: string | null;
  limit?: number | null;
}

/** What the caller's scopes allow a search to return (docs/design.md §4 rule 9). */
export interface SearchPolicy {
  /** Most candidates returned. */
  maxResults: number;
  /** Default when the caller gives no limit. */
  defaultLimit: number;
  /** Candidates scoring below this are not returned. */
  minScore: number;
  /** The search must give lastName, firstName and an exact dateOfBirth. */
  requireFullIdentity: boolean;
}

/**
 * Callers with only person:match: exact identity only (`findExactIdentityMatches`), at most 5
 * persons, each scored 1. Nothing is ranked for them, so no near match can score its way in.
 */
export const MATCH_ONLY_POLICY: SearchPolicy = { maxResults: 5, defaultLimit: 5, minScore: 1, requireFullIdentity: true };
/** Criminal-justice callers: up to 50 candidates, weak ones included. */
export const CRIMINAL_JUSTICE_POLICY: SearchPolicy = { maxResults: 50, defaultLimit: 10, minScore: 0.5, requireFullIdentity: false };

/** The search policy for a caller: match-only unless they hold person:read. */
export function searchPolicyFor(caller: Caller): SearchPolicy {
  return caller.scopes.has(Scope.PERSON_READ) ? CRIMINAL_JUSTICE_POLICY : MATCH_ONLY_POLICY;
}

function similarity(a: string, b: string): number {
  if (!a || !b) return 0;
  return 1 - distance(a, b) / Math.max(a.length, b.length);
}

/** The best a last name spelled otherwise than the query can score: a shared sound. */
const SOUND_ALIKE_LAST_NAME_SCORE = 0.85;

/** How alike two last names are: exact 1, same sound 0.85, else by spelling distance. */
export function lastNameScore(query: string, candidate: string): number {
  const q = normaliseName(query);
  const c = normaliseName(candidate);
  if (q === c) return 1;
  const [q1, q2] = phoneticCodes(q);
  const [c1, c2] = phoneticCodes(c);
  // Spelling similarity is weighted 0.8 at most: a shared sound (0.85) always wins over it.
  if (q1 === c1 || q1 === c2 || q2 === c1 || q2 === c2) return SOUND_ALIKE_LAST_NAME_SCORE;
  return similarity(q, c) * 0.8;
}

/**
 * How alike two first names are: exact 1; same sound (JON/JOHN) 0.9; one a prefix of the other
 * (JOHN/JOHNNY) 0.85; an initial 0.6; else by spelling distance.
 */
export function firstNameScore(query: string, candidate: string): number {
  const q = normaliseName(query);
  const c = normaliseName(candidate);
  if (!q || !c) return 0;
  if (q === c) return 1;
  const [q1, q2] = phoneticCodes(q);
  const [c1, c2] = phoneticCodes(c);
  let best = similarity(q, c) * 0.8;
  if (q1 === c1 || q1 === c2 || q2 === c1 || q2 === c2) best = Math.max(best, 0.9);
  if (q.length >= 2 && c.length >= 2 && (q.startsWith(c) || c.startsWith(q))) best = Math.max(best, 0.85);
  if ((q.length === 1 || c.length === 1) && q[0] === c[0]) best = Math.max(best, 0.6);
  return best;
}

/**
 * How alike two dates of birth are: exact 1; day and month transposed 0.8; one digit off (a
 * typing slip) 0.75; same year 0.4; else 0.
 */
export function dateOfBirthScore(query: string, candidate: string): number {
  if (query === candidate) return 1;
  const [qy, qm, qd] = query.split('-');
  const [cy, cm, cd] = candidate.split('-');
  if (qy === cy && qm === cd && qd === cm) return 0.8;
  const q = query.replace(/-/g, '');
  const c = candidate.replace(/-/g, '');
  if (q.length === c.length) {
    let diff = 0;
    for (let i = 0; i < q.length; i++) if (q[i] !== c[i]) diff++;
    if (diff === 1) return 0.75;
  }
  return qy === cy ? 0.4 : 0;
}

const WEIGHTS = { last: 0.4, first: 0.3, dob: 0.3 };

/**
 * Scores a candidate (0–1) against a search: a weighted mean of last-name, first-name and
 * date-of-birth similarity over the parts the search gave; aliases count as the person's names.
 * A sex that contradicts the search costs 0.1.
 */
export function scoreCandidate(search: PersonSearch, candidate: SearchCandidate): number {
  const names = [candidate.name, ...candidate.aliases];
  let best = 0;
  for (const name of names) {
    let total = WEIGHTS.last * lastNameScore(search.lastName, name.last);
    let weight = WEIGHTS.last;
    if (search.firstName) {
      total += WEIGHTS.first * firstNameScore(search.firstName, name.first);
      weight += WEIGHTS.first;
    }
    if (search.dateOfBirth) {
      total += WEIGHTS.dob * dateOfBirthScore(search.dateOfBirth, candidate.dateOfBirth);
      weight += WEIGHTS.dob;
    }
    best = Math.max(best, total / weight);
  }
  if (search.sex && search.sex !== 'U' && candidate.sex !== 'U' && search.sex !== candidate.sex) best -= 0.1;
  return Math.max(0, roundScore(best));
}

function roundScore(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/** Orders ids bytewise (code units), as the store pages them (COLLATE "C", SQLite's BINARY). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ranks candidates: best score first, ties by id (bytewise) so results are stable. */
export function rankCandidates<C extends SearchCandidate>(
  search: PersonSearch,
  candidates: readonly C[],
  policy: SearchPolicy,
  limit: number,
): Array<{ person: C; score: number }> {
  return candidates
    .map((person) => ({ person, score: scoreCandidate(search, person) }))
    .filter((m) => m.score >= policy.minScore)
    .sort((a, b) => b.score - a.score || compareIds(a.person.id, b.person.id))
    .slice(0, limit);
}

/** Most persons one search scores, whatever the population: its cost's bound (issue 20). */
export const CANDIDATE_CAP = 1000;

/** Where candidates come from: the store's search keys, a level at a time. */
export interface CandidateSource {
  /** Persons a key query matches, after `after` in id order (bytewise), the first `limit`, in id order. */
  candidatesByKeys(query: SearchKeyQuery, after: string | null, limit: number): Promise<SearchCandidate[]>;
}

/** A ranked search and what it cost. */
export interface SearchOutcome {
  matches: Array<{ person: SearchCandidate; score: number }>;
  /**
   * True when the answer is the one ranking every person with a sound-alike name would give;
   * false when the search stopped at `cap` persons scored (see `searchRanked`).
   */
  complete: boolean;
  /** Persons scored. */
  scored: number;
  /** Store lookups made. */
  lookups: number;
}

/** The dates a typing slip or a day/month swap makes of `date` (YYYY-MM-DD), `date` included; null for another shape. */
export function nearDates(date: string): string[] | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const [y, m, d] = date.split('-');
  const near = new Set([date, `${y}-${d}-${m}`]);
  const digits = `${y}${m}${d}`;
  for (let i = 0; i < digits.length; i++) {
    for (let v = 0; v <= 9; v++) {
      if (String(v) === digits[i]) continue;
      const s = digits.slice(0, i) + v + digits.slice(i + 1);
      near.add(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`);
    }
  }
  return [...near];
}

/**
 * The classes a name falls in for one search, each with the most its part of the score can be:
 * last name spelled as asked (1) or sounding alike (0.85); first name spelled as asked (1),
 * sounding alike (0.9), or otherwise (0.85 at most: a prefix); date of birth the same (1), day
 * and month swapped (0.8), one digit off (0.75), the same year (0.4), or otherwise (0).
 */
type LastClass = 'spelled' | 'sounds';
type FirstClass = 'spelled' | 'sounds' | 'other' | 'none';
type DateClass = 'same' | 'swapped' | 'slip' | 'year' | 'other' | 'none';
interface Cell {
  last: LastClass;
  first: FirstClass;
  date: DateClass;
  /** The most a person whose name falls here can score (rounded as scores are). */
  bound: number;
}
const LAST_MAX: Record<LastClass, number> = { spelled: 1, sounds: SOUND_ALIKE_LAST_NAME_SCORE };
const FIRST_MAX: Record<FirstClass, number> = { spelled: 1, sounds: 0.9, other: 0.85, none: 0 };
const DATE_MAX: Record<DateClass, number> = { same: 1, swapped: 0.8, slip: 0.75, year: 0.4, other: 0, none: 1 };
/** What a last name neither spelled as asked nor sounding alike scores at most: spelling similarity × 0.8. */
const OTHER_LAST_NAME_MAX = 0.8;

/** One level of candidates: the names it reads and which cells they cover. */
interface Level {
  query: SearchKeyQuery;
  /** Read whole up to the cap in one lookup (the store sorts the few names of some dates) rather than paged. */
  sorted: boolean;
  covers: (cell: Cell) => boolean;
}

/**
 * The cells of a search and the levels that read them, best first. Each level covers the cells
 * of the ones before it and more; the last covers every sound-alike.
 */
function searchPlan(search: PersonSearch, lastNorm: string, lastCodes: string[]): { cells: Cell[]; levels: Level[] } {
  const firstNorm = search.firstName ? normaliseName(search.firstName) : '';
  const firstCodes = firstNorm ? [...new Set(phoneticCodes(firstNorm))].filter(Boolean) : [];
  const dates = search.dateOfBirth ? nearDates(search.dateOfBirth) : null;
  const firsts: FirstClass[] = search.firstName ? ['spelled', 'sounds', 'other'] : ['none'];
  // A date of birth of another shape than YYYY-MM-DD: nothing narrows by it, and any cell may score it 1.
  const dateClasses: DateClass[] = search.dateOfBirth && dates ? ['same', 'swapped', 'slip', 'year', 'other'] : ['none'];
  const weight = WEIGHTS.last + (search.firstName ? WEIGHTS.first : 0) + (search.dateOfBirth ? WEIGHTS.dob : 0);
  const cells: Cell[] = [];
  for (const last of ['spelled', 'sounds'] as const) {
    for (const first of firsts) {
      for (const date of dateClasses) {
        const byDate = search.dateOfBirth ? WEIGHTS.dob * DATE_MAX[date] : 0;
        // The person's other names count too: one that neither is spelled nor sounds as asked may
        // still carry the first name asked (an alias under another surname), with the same date.
        const byThisName = WEIGHTS.last * LAST_MAX[last] + (search.firstName ? WEIGHTS.first * FIRST_MAX[first] : 0) + byDate;
        const byAnotherName = WEIGHTS.last * OTHER_LAST_NAME_MAX + (search.firstName ? WEIGHTS.first : 0) + byDate;
        cells.push({ last, first, date, bound: roundScore(Math.max(byThisName, byAnotherName) / weight) });
      }
    }
  }
  const near = (c: Cell) => c.date === 'same' || c.date === 'swapped' || c.date === 'slip';
  const firstAlike = (c: Cell) => c.first === 'spelled' || c.first === 'sounds';
  const spelled: SearchKeyQuery = { lastCodes: [lastCodes[0]], lastNorm };
  const all: SearchKeyQuery = { lastCodes };
  const exactFirst = firstCodes.length ? { firstCodes: [firstCodes[0]], firstNorm } : null;
  const alikeFirst = firstCodes.length ? { firstCodes } : null;
  const levels: Level[] = [];
  if (dates && search.dateOfBirth) {
    const year = search.dateOfBirth.slice(0, 4);
    const range: [string, string] = [`${year}-`, `${year}.`];
    if (search.firstName) {
      if (exactFirst)
        levels.push({
          query: { ...spelled, ...exactFirst, dates: [search.dateOfBirth] },
          sorted: true,
          covers: (c) => c.last === 'spelled' && c.first === 'spelled' && c.date === 'same',
        });
      if (alikeFirst) levels.push({ query: { ...all, ...alikeFirst, dates }, sorted: true, covers: (c) => firstAlike(c) && near(c) });
      levels.push({ query: { ...all, dates }, sorted: true, covers: near });
      if (alikeFirst)
        levels.push({ query: { ...all, ...alikeFirst, dateRange: range }, sorted: true, covers: (c) => near(c) || (firstAlike(c) && c.date === 'year') });
    } else {
      levels.push({ query: { ...spelled, dates: [search.dateOfBirth] }, sorted: true, covers: (c) => c.last === 'spelled' && c.date === 'same' });
      levels.push({ query: { ...all, dates }, sorted: true, covers: near });
    }
    levels.push({ query: { ...all, dateRange: range }, sorted: true, covers: (c) => near(c) || c.date === 'year' });
  } else if (search.firstName) {
    if (exactFirst) levels.push({ query: { ...spelled, ...exactFirst }, sorted: false, covers: (c) => c.last === 'spelled' && c.first === 'spelled' });
    if (alikeFirst) levels.push({ query: { ...all, ...alikeFirst }, sorted: false, covers: firstAlike });
  } else {
    levels.push({ query: spelled, sorted: false, covers: (c) => c.last === 'spelled' });
  }
  levels.push({ query: all, sorted: false, covers: () => true });
  return { cells, levels };
}

/** The first page of a paged level; each next one is twice the last, up to `MAX_PAGE`. */
const firstPage = (limit: number) => Math.max(2 * limit, 16);
const MAX_PAGE = 512;

/**
 * The best `limit` matches of a search, ranked, with what finding them cost.
 *
 * Candidates are read level by level through the store's search keys, each level in id order, a
 * page at a time (a level narrowed by dates whole, up to the cap, in one lookup). With a first
 * name and a date of birth the levels are, best first:
 *   1. last name, first name and date as asked, spelled so;
 *   2. last and first name sounding alike (or spelled so), born on a near date — the date, its
 *      day and month swapped, or one digit off (every date `dateOfBirthScore` scores 0.75 or more);
 *   3. last name alike, any first name, born on a near date;
 *   4. last and first name alike, born in the same year;
 *   5. last name alike, any first name, born in the same year;
 *   6. every sound-alike.
 * Without a date: (1) last and first name spelled as asked, (2) both alike, (3) every
 * sound-alike. Without a first name: (1) last name spelled as asked [and born on the date,
 * (2) alike and born on a near date, (3) in the same year], then every sound-alike.
 *
 * Each class of name has a bound, the most a person with such a name can score — counting their
 * other names, which may carry the first name asked under another surname. The search stops as
 * soon as `limit` matches outscore every bound left: strictly that of the classes no level has
 * read yet, and that of the level being read for the ids past the last one read (there a tie
 * loses to the smaller id, read already). What it returns then is exactly what ranking every
 * person with a sound-alike name would give.
 *
 * Guarantee: the answer is that exhaustive ranking whenever `complete` is true, which it is
 * unless `cap` persons were scored first. A search that reaches the cap (a common surname with a
 * first name and date that nobody near matches) returns the best of the persons it read: every
 * person of the levels read in full — so a person matching every part given, spelled so (level
 * 1), is never dropped while fewer than `cap` persons do — and the first ones by id of the level
 * it stopped in; a person left unread scores no more than that level's bound.
 */
export async function searchRanked(
  source: CandidateSource,
  search: PersonSearch,
  policy: SearchPolicy,
  limit: number,
  cap = CANDIDATE_CAP,
): Promise<SearchOutcome> {
  const outcome: SearchOutcome = { matches: [], complete: true, scored: 0, lookups: 0 };
  const lastNorm = normaliseName(search.lastName);
  const lastCodes = [...new Set(phoneticCodes(lastNorm))].filter(Boolean);
  if (!lastNorm || lastCodes.length === 0 || limit < 1) return outcome;
  const { cells, levels } = searchPlan(search, lastNorm, lastCodes);
  const top = outcome.matches;
  const seen = new Set<string>();
  const consider = (person: SearchCandidate) => {
    const score = scoreCandidate(search, person);
    if (score < policy.minScore) return;
    let i = top.length;
    while (i > 0 && (top[i - 1].score < score || (top[i - 1].score === score && compareIds(top[i - 1].person.id, person.id) > 0))) i--;
    if (i >= limit) return;
    top.splice(i, 0, { person, score });
    if (top.length > limit) top.pop();
  };
  /** True when no unread person can enter the answer. */
  const settled = (outside: number, inside: number, after: string | null, exhausted: boolean) => {
    if (top.length < limit) return outside < policy.minScore && (exhausted || inside < policy.minScore);
    const { score, person } = top[limit - 1];
    if (!(outside < score)) return false;
    return exhausted || inside < score || (inside === score && after !== null && compareIds(after, person.id) >= 0);
  };
  const read: Level[] = [];
  let inside = Math.max(...cells.map((c) => c.bound));
  for (const level of levels) {
    read.push(level);
    const outside = Math.max(0, ...cells.filter((c) => !read.some((l) => l.covers(c))).map((c) => c.bound));
    let after: string | null = null;
    let page = level.sorted ? cap : firstPage(limit);
    let exhausted = false;
    while (!exhausted) {
      if (settled(outside, inside, after, false)) return outcome;
      const want = Math.min(page, cap - outcome.scored);
      if (want < 1) return { ...outcome, complete: false };
      const batch = await source.candidatesByKeys(level.query, after, want);
      outcome.lookups++;
      for (const person of batch) {
        if (seen.has(person.id)) continue;
        seen.add(person.id);
        outcome.scored++;
        consider(person);
      }
      if (batch.length > 0) after = batch[batch.length - 1].id;
      exhausted = batch.length < want;
      page = Math.min(page * 2, MAX_PAGE);
    }
    if (settled(outside, inside, after, true)) return outcome;
    inside = outside;
  }
  return outcome;
}

/**
 * The best `limit` matches of a search, ranked: exactly those ranking every person with a
 * sound-alike name would give, reading only as many candidates as it takes to know it, and never
 * more than `CANDIDATE_CAP` persons (`searchRanked` gives the levels and the guarantee).
 */
export async function findMatches(
  source: CandidateSource,
  search: PersonSearch,
  policy: SearchPolicy,
  limit: number,
): Promise<Array<{ person: SearchCandidate; score: number }>> {
  return (await searchRanked(source, search, policy, limit)).matches;
}

/**
 * How a name is compared for screening (docs/design.md §4 rule 9): upper case, diacritics removed (É → E,
 * by Unicode compatibility decomposition), spaces, hyphens and apostrophes removed. Nothing else
 * is forgiven: another letter (JON for JOHN) or another character (ST. JOHN) is another name.
 */
export function identityNameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015'\u2018\u2019\u02bc`]+/gu, '');
}

/** A full-identity search: what a match-only caller must give. */
export interface IdentitySearch {
  lastName: string;
  firstName: string;
  dateOfBirth: string;
  sex?: string | null;
}

/**
 * True when the candidate is the person a full-identity search names: the last and first name
 * equal (by `identityNameKey`) those of one recorded name of the person — their name or one
 * alias — and the date of birth is the same day. A sex given and contradicting the record also
 * rules the candidate out: for an employer, a record matched to the wrong person is the costliest
 * error there is (Civil Code 1786.20's "maximum possible accuracy").
 */
export function isExactIdentityMatch(search: IdentitySearch, candidate: SearchCandidate): boolean {
  if (candidate.dateOfBirth !== search.dateOfBirth) return false;
  if (search.sex && search.sex !== 'U' && candidate.sex !== 'U' && search.sex !== candidate.sex) return false;
  const last = identityNameKey(search.lastName);
  const first = identityNameKey(search.firstName);
  if (!last || !first) return false;
  return [candidate.name, ...candidate.aliases].some((n) => identityNameKey(n.last) === last && identityNameKey(n.first) === first);
}

/** Where exact-identity candidates come from: one indexed lookup of the store. */
export interface IdentityCandidateSource {
  /** Persons born on `dateOfBirth` with a name or alias whose last name normalises (`normaliseName`) to `lastNorm`. */
  candidatesByExactIdentity(lastNorm: string, dateOfBirth: string): Promise<SearchCandidate[]>;
}

/**
 * A match-only caller's search: the persons `isExactIdentityMatch` names, by id, at most `limit`,
 * each scored 1. Empty when nobody matches — that is an answer, not an error.
 */
export async function findExactIdentityMatches(
  source: IdentityCandidateSource,
  search: IdentitySearch,
  limit: number,
): Promise<Array<{ person: SearchCandidate; score: number }>> {
  // The store's key drops everything but A–Z: a superset of the exact matches, which the
  // comparison below then narrows to exactly the rule.
  const lastNorm = normaliseName(identityNameKey(search.lastName));
  if (!lastNorm) return [];
  const candidates = await source.candidatesByExactIdentity(lastNorm, search.dateOfBirth);
  return candidates
    .filter((c) => isExactIdentityMatch(search, c))
    .sort((a, b) => a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((person) => ({ person, score: 1 }));
}
