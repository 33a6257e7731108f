import { distance } from 'fastest-levenshtein';
import { Scope, type Caller } from '../../../access-policy/src';
import { normaliseName, phoneticCodes } from './name-keys';
import type { SearchCandidate, SearchKeys } from './store/criminal-history-store';

/** A search as a caller asked it. */
export interface PersonSearch {
  lastName: string;
  firstName?: string | null;
  dateOfBirth?: string | null;
  sex?: string | null;
  limit?: number | null;
}

/** What the caller's scopes allow a search to return (DESIGN §4 rule 9). */
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

/**
 * The highest score a candidate none of whose names is spelled as the query's last name can
 * reach: a sound-alike last name, with the first name and date of birth (when asked) exact.
 */
export function bestScoreOfAnotherSpelling(search: PersonSearch): number {
  let total = WEIGHTS.last * SOUND_ALIKE_LAST_NAME_SCORE;
  let weight = WEIGHTS.last;
  if (search.firstName) {
    total += WEIGHTS.first;
    weight += WEIGHTS.first;
  }
  if (search.dateOfBirth) {
    total += WEIGHTS.dob;
    weight += WEIGHTS.dob;
  }
  return roundScore(total / weight);
}

/** Ranks candidates: best score first, ties by id so results are stable. */
export function rankCandidates<C extends SearchCandidate>(
  search: PersonSearch,
  candidates: readonly C[],
  policy: SearchPolicy,
  limit: number,
): Array<{ person: C; score: number }> {
  return candidates
    .map((person) => ({ person, score: scoreCandidate(search, person) }))
    .filter((m) => m.score >= policy.minScore)
    .sort((a, b) => b.score - a.score || a.person.id.localeCompare(b.person.id))
    .slice(0, limit);
}

/** Where candidates come from: the store's two lookups. */
export interface CandidateSource {
  /** Persons with a name or alias spelled as `normalised` (a `normaliseName` result). */
  candidatesByExactLastName(normalised: string): Promise<SearchCandidate[]>;
  /** Persons with a name or alias that sounds like the keys. */
  searchCandidates(keys: SearchKeys): Promise<SearchCandidate[]>;
}

/**
 * The best `limit` matches of a search, ranked. Persons with a name spelled exactly as asked are
 * read first; when `limit` of them outscore anything another spelling could reach, the sound-alike
 * lookup (hundreds of rows for a common name like SMITH) cannot change the answer and is skipped.
 * Otherwise the answer is the ranking of every sound-alike, as if the first lookup had not been made.
 */
export async function findMatches(
  source: CandidateSource,
  search: PersonSearch,
  policy: SearchPolicy,
  limit: number,
): Promise<Array<{ person: SearchCandidate; score: number }>> {
  const normalised = normaliseName(search.lastName);
  if (!normalised) return [];
  const exact = rankCandidates(search, await source.candidatesByExactLastName(normalised), policy, limit);
  if (exact.length === limit && exact[limit - 1].score > bestScoreOfAnotherSpelling(search)) return exact;
  return rankCandidates(search, await source.searchCandidates({ lastNameCodes: phoneticCodes(normalised) }), policy, limit);
}

/**
 * How a name is compared for screening (DESIGN §4 rule 9): upper case, diacritics removed (É → E,
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
