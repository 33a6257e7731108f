import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedStores } from '../../seed/src/seed-stores';
import { SUBGRAPHS } from '../../subgraphs';
import { phoneticCodes } from '../../subgraphs/criminal-history/src/name-keys';
import {
  CRIMINAL_JUSTICE_POLICY,
  findExactIdentityMatches,
  findMatches,
  identityNameKey,
  searchRanked,
  rankCandidates,
  type PersonSearch,
  type SearchPolicy,
} from '../../subgraphs/criminal-history/src/person-search';
import type { CriminalHistoryStore, SearchCandidate } from '../../subgraphs/criminal-history/src/store/criminal-history-store';

/**
 * The search reads exactly-spelled names first and skips the sound-alike lookup when it cannot
 * change the answer. These tests hold it to that: on a seeded population of 10,000, every search
 * answers exactly as ranking every sound-alike would.
 */
describe('search by exact spelling first', () => {
  let store: CriminalHistoryStore;
  let persons: SearchCandidate[];

  beforeAll(async () => {
    const location = { kind: 'sqlite' as const, dataDir: mkdtempSync(join(tmpdir(), 'custodian-search-')) };
    await seedStores(location, { persons: 10_000, seedDate: new Date('2026-06-15T00:00:00Z') });
    store = await SUBGRAPHS['criminal-history'].openStore(location);
    // Every person, as a candidate: the source of the names the searches below ask for.
    const ids = Array.from({ length: 10_000 }, (_, i) => `A${10000001 + i}`);
    persons = [];
    for (let i = 0; i < ids.length; i += 500) {
      const batch = await store.personsByIds(ids.slice(i, i + 500));
      const aliases = await store.aliasesByPersonIds(batch.map((p) => p.id));
      for (const p of batch)
        persons.push({
          id: p.id,
          name: p.name,
          dateOfBirth: p.dateOfBirth,
          sex: p.sex,
          aliases: aliases.filter((a) => a.personId === p.id).map((a) => a.name),
        });
    }
  }, 60_000);
  afterAll(() => store?.close());

  const everySoundAlike = async (search: PersonSearch, policy: SearchPolicy, limit: number) =>
    rankCandidates(search, await store.searchCandidates({ lastNameCodes: phoneticCodes(search.lastName) }), policy, limit);
  const ids = (ranked: Array<{ person: SearchCandidate; score: number }>) => ranked.map((m) => `${m.person.id} ${m.score}`);

  it('answers every search exactly as ranking every sound-alike does', async () => {
    // Last names of persons and of aliases, common and rare, asked many ways.
    const lastNames = [...new Set(persons.flatMap((p) => [p.name.last, ...p.aliases.map((a) => a.last)]))].sort();
    expect(lastNames.length).toBeGreaterThan(20);
    let searches = 0;
    for (const [i, last] of lastNames.entries()) {
      const someone = persons.find((p) => p.name.last === last) ?? persons[i % persons.length];
      const variants: Array<[PersonSearch, SearchPolicy, number]> = [
        [{ lastName: last }, CRIMINAL_JUSTICE_POLICY, 50],
        [{ lastName: last.toLowerCase() + ' ' }, CRIMINAL_JUSTICE_POLICY, 10],
        [{ lastName: last, sex: 'F' }, CRIMINAL_JUSTICE_POLICY, 50],
        [{ lastName: last, firstName: someone.name.first }, CRIMINAL_JUSTICE_POLICY, 5],
        [{ lastName: last, firstName: someone.name.first, dateOfBirth: someone.dateOfBirth }, CRIMINAL_JUSTICE_POLICY, 50],
        [{ lastName: last, firstName: someone.name.first, dateOfBirth: someone.dateOfBirth }, CRIMINAL_JUSTICE_POLICY, 5],
        [{ lastName: last, firstName: someone.name.first.slice(0, 1), dateOfBirth: someone.dateOfBirth.replace(/-\d\d$/, '-01') }, CRIMINAL_JUSTICE_POLICY, 1],
      ];
      for (const [search, policy, limit] of variants) {
        const expected = ids(await everySoundAlike(search, policy, limit));
        expect({ search, limit, found: ids(await findMatches(store, search, policy, limit)) }).toEqual({ search, limit, found: expected });
        searches++;
      }
    }
    expect(searches).toBe(lastNames.length * 7);
  }, 120_000);

  it('answers a screening search with exactly the persons whose recorded name and date of birth are the ones asked (rule 9)', async () => {
    // The rule, by brute force over every person: last and first name of one recorded name equal
    // after normalisation, and the same date of birth.
    const byRule = (last: string, first: string, dateOfBirth: string) =>
      persons
        .filter(
          (p) =>
            p.dateOfBirth === dateOfBirth &&
            [p.name, ...p.aliases].some((n) => identityNameKey(n.last) === identityNameKey(last) && identityNameKey(n.first) === identityNameKey(first)),
        )
        .map((p) => p.id)
        .sort()
        .slice(0, 5);
    const found = async (lastName: string, firstName: string, dateOfBirth: string) =>
      (await findExactIdentityMatches(store, { lastName, firstName, dateOfBirth }, 5)).map((m) => m.person.id);
    const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    let hits = 0;
    for (const p of persons.filter((_, i) => i % 20 === 0)) {
      for (const n of [p.name, ...p.aliases]) {
        const exact = await found(n.last.toLowerCase(), ` ${n.first} `, p.dateOfBirth);
        expect({ id: p.id, exact }).toEqual({ id: p.id, exact: byRule(n.last, n.first, p.dateOfBirth) });
        expect(exact).toContain(p.id);
        hits++;
        // Near misses find only someone who truly bears that name and that date, never this person.
        for (const [last, first, dob] of [
          [n.last, n.first, nextDay(p.dateOfBirth)],
          [n.last, n.first.slice(0, -1), p.dateOfBirth],
          [`${n.last}E`, n.first, p.dateOfBirth],
        ]) {
          const near = await found(last, first, dob);
          expect({ id: p.id, near }).toEqual({ id: p.id, near: byRule(last, first, dob) });
          expect(near).not.toContain(p.id);
        }
      }
    }
    expect(hits).toBeGreaterThan(500);
  }, 120_000);

  it('answers SMITH, limit 50, from the last name spelled so: one lookup, no more persons than it returns and a page', async () => {
    const outcome = await searchRanked(store, { lastName: 'SMITH' }, CRIMINAL_JUSTICE_POLICY, 50);
    expect(outcome.matches).toHaveLength(50);
    expect(outcome.matches.every((m) => m.score === 1)).toBe(true);
    expect(outcome).toMatchObject({ complete: true, lookups: 1 });
    expect(outcome.scored).toBeLessThanOrEqual(100);
  });

  it('reads the sound-alikes when no name is spelled as asked', async () => {
    // SMYTH and SCHMIDT sound like SMITH: with no SMYTHE, they are the answer.
    const outcome = await searchRanked(store, { lastName: 'SMYTHE' }, CRIMINAL_JUSTICE_POLICY, 10);
    expect(outcome.matches).toHaveLength(10);
    expect(outcome.matches.every((m) => m.score === 0.85)).toBe(true);
    expect(outcome.complete).toBe(true);
  });
});
