import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../../seed/src/random';
import { seedStores } from '../../seed/src/seed-stores';
import { SUBGRAPHS } from '../../subgraphs';
import { phoneticCodes } from '../../subgraphs/criminal-history/src/name-keys';
import {
  CRIMINAL_JUSTICE_POLICY,
  compareIds,
  findMatches,
  identityNameKey,
  nearDates,
  rankCandidates,
  scoreCandidate,
  searchRanked,
  type PersonSearch,
} from '../../subgraphs/criminal-history/src/person-search';
import type { CriminalHistorySeed, CriminalHistoryStore, SearchCandidate, Sex } from '../../subgraphs/criminal-history/src/store/criminal-history-store';

const LAST = ['SMITH', 'SMYTH', 'SCHMIDT', 'SMITHE', 'SMITT', 'JONES', 'GARCIA'];
const FIRST = ['JOHN', 'JON', 'JOHNNY', 'JUAN', 'JOAN', 'MARY', 'MARIE', 'MARIA', 'J', 'JO'];
const DAYS = [
  '1980-01-10',
  '1980-01-11',
  '1980-10-01',
  '1981-01-10',
  '1990-01-10',
  '1980-07-04',
  '1980-11-23',
  '1980-05-27',
  '1980-08-16',
  '1975-06-30',
  '1985-03-14',
  '1980-02-10',
];

/** A crowded population: few names, few dates, so that every level, page and bound is exercised. */
function crowd(count: number, seed: number): { batch: CriminalHistorySeed; persons: SearchCandidate[] } {
  const rnd = new SeededRandom(seed);
  const batch: CriminalHistorySeed = { persons: [], aliases: [], arrests: [], charges: [], addressProtections: [] };
  const persons: SearchCandidate[] = [];
  for (let n = 1; n <= count; n++) {
    const id = `A${String(20_000_000 + n)}`;
    const last = rnd.pick(LAST);
    const first = rnd.pick(FIRST);
    const dateOfBirth = rnd.pick(DAYS);
    const sex = rnd.pick<Sex>(['M', 'F', 'U']);
    batch.persons.push({
      id,
      name: { last, first, middle: null },
      dateOfBirth,
      sex,
      physical: { heightInches: null, weightPounds: null, eyeColor: null, hairColor: null },
      identifiers: { fbiNumber: null, driverLicense: null, ssnLast4: null },
      lastKnownAddress: null,
      lastNameCodes: phoneticCodes(last),
    });
    const aliases = rnd.chance(0.2) ? [{ last: rnd.pick([...LAST, 'OKAFOR', 'SMIT', 'SMITS', 'SMIDT']), first: rnd.pick(FIRST), middle: null }] : [];
    aliases.forEach((name, i) => batch.aliases.push({ personId: id, seq: i + 1, name, lastNameCodes: phoneticCodes(name.last) }));
    persons.push({ id, name: { last, first, middle: null }, dateOfBirth, sex, aliases });
  }
  return { batch, persons };
}

/** The exhaustive ranking: every person one of whose names shares a sound with the last name asked. */
function everySoundAlike(persons: SearchCandidate[], search: PersonSearch, limit: number) {
  const codes = new Set(phoneticCodes(search.lastName).filter(Boolean));
  const alike = persons.filter((p) => [p.name, ...p.aliases].some((n) => phoneticCodes(n.last).some((c) => codes.has(c))));
  return rankCandidates(search, alike, CRIMINAL_JUSTICE_POLICY, limit);
}

const shown = (ranked: Array<{ person: SearchCandidate; score: number }>) => ranked.map((m) => `${m.person.id} ${m.score}`);

describe('the bounded candidate set (issue 20)', () => {
  let store: CriminalHistoryStore;
  let persons: SearchCandidate[];

  beforeAll(async () => {
    store = await SUBGRAPHS['criminal-history'].openStore({ kind: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'custodian-bounded-')) });
    const population = crowd(3000, 2020);
    await store.insertSeed(population.batch);
    persons = population.persons;
  }, 60_000);
  afterAll(() => store?.close());

  const searches = (): Array<[PersonSearch, number]> => {
    const rnd = new SeededRandom(77);
    const out: Array<[PersonSearch, number]> = [];
    for (let i = 0; i < 400; i++) {
      const search: PersonSearch = { lastName: rnd.pick([...LAST, 'SMYTHE', 'SCHMITT', 'garcía', 'JONAS']) };
      if (rnd.chance(0.7)) search.firstName = rnd.pick([...FIRST, 'JOHNATHAN', 'MARIAN', 'ZED']);
      if (rnd.chance(0.7)) search.dateOfBirth = rnd.chance(0.3) ? rnd.pick(nearDates(rnd.pick(DAYS))!) : rnd.pick(DAYS);
      if (rnd.chance(0.3)) search.sex = rnd.pick(['M', 'F', 'U']);
      out.push([search, rnd.pick([1, 5, 10, 50])]);
    }
    return out;
  };

  it('answers every search exactly as ranking every sound-alike does, when no cap is reached', async () => {
    let levelsBeyondTheFirst = 0;
    for (const [search, limit] of searches()) {
      const outcome = await searchRanked(store, search, CRIMINAL_JUSTICE_POLICY, limit, 100_000);
      expect(outcome.complete).toBe(true);
      expect({ search, limit, found: shown(outcome.matches) }).toEqual({ search, limit, found: shown(everySoundAlike(persons, search, limit)) });
      if (outcome.lookups > 1) levelsBeyondTheFirst++;
    }
    expect(levelsBeyondTheFirst).toBeGreaterThan(50);
  }, 120_000);

  it('never scores more persons than the cap, and ranks exactly whoever it read', async () => {
    for (const [search, limit] of searches()) {
      const outcome = await searchRanked(store, search, CRIMINAL_JUSTICE_POLICY, limit, 40);
      expect(outcome.scored).toBeLessThanOrEqual(40);
      for (const m of outcome.matches) expect(m.score).toBe(scoreCandidate(search, m.person));
      const order = outcome.matches.map((m) => [m.score, m.person.id] as const);
      expect(order).toEqual([...order].sort((a, b) => b[0] - a[0] || compareIds(a[1], b[1])));
      if (outcome.complete) expect(shown(outcome.matches)).toEqual(shown(everySoundAlike(persons, search, limit)));
    }
  }, 120_000);

  it('never drops an exact match for the cap: persons with every part asked come first, whatever their ids', async () => {
    // 600 near misses with smaller ids than the one exact match: same names, a near date or another first name.
    const dir = mkdtempSync(join(tmpdir(), 'custodian-bounded-exact-'));
    const crowded = await SUBGRAPHS['criminal-history'].openStore({ kind: 'sqlite', dataDir: dir });
    try {
      const batch: CriminalHistorySeed = { persons: [], aliases: [], arrests: [], charges: [], addressProtections: [] };
      const person = (n: number, last: string, first: string, dateOfBirth: string) => ({
        id: `A${String(30_000_000 + n)}`,
        name: { last, first, middle: null },
        dateOfBirth,
        sex: 'M' as const,
        physical: { heightInches: null, weightPounds: null, eyeColor: null, hairColor: null },
        identifiers: { fbiNumber: null, driverLicense: null, ssnLast4: null },
        lastKnownAddress: null,
        lastNameCodes: phoneticCodes(last),
      });
      for (let n = 1; n <= 600; n++) batch.persons.push(person(n, n % 2 ? 'SMITH' : 'SMYTH', n % 3 ? 'JOHN' : 'JON', n % 5 ? '1980-01-11' : '1980-02-10'));
      batch.persons.push(person(999, 'SMITH', 'JOHN', '1980-01-10'));
      await crowded.insertSeed(batch);
      for (const cap of [1, 5, 50, 1000]) {
        const outcome = await searchRanked(crowded, { lastName: 'SMITH', firstName: 'JOHN', dateOfBirth: '1980-01-10' }, CRIMINAL_JUSTICE_POLICY, 10, cap);
        expect({ cap, first: outcome.matches[0] && shown([outcome.matches[0]]) }).toEqual({ cap, first: ['A30000999 1'] });
      }
      // And without a date: the exact spelling is the first level, read in id order.
      const byName = await searchRanked(crowded, { lastName: 'SMITH', firstName: 'JOHN' }, CRIMINAL_JUSTICE_POLICY, 5, 5);
      expect(byName.matches.map((m) => m.score)).toEqual([1, 1, 1, 1, 1]);
    } finally {
      await crowded.close();
    }
  });

  it('narrows a common surname by the first name and the date before scoring: a few lookups, far fewer persons than bear it', async () => {
    const smiths = persons.filter((p) => [p.name, ...p.aliases].some((n) => phoneticCodes(n.last).includes('SM0'))).length;
    const garciaMaria = await searchRanked(store, { lastName: 'SMITH', firstName: 'JOHN', dateOfBirth: '1980-01-10' }, CRIMINAL_JUSTICE_POLICY, 5);
    expect(garciaMaria.complete).toBe(true);
    expect(garciaMaria.scored).toBeLessThan(smiths / 4);
  });
});

describe('the fixtures, ranked through the store as before', () => {
  let store: CriminalHistoryStore;
  beforeAll(async () => {
    const location = { kind: 'sqlite' as const, dataDir: mkdtempSync(join(tmpdir(), 'custodian-fixtures-rank-')) };
    await seedStores(location, { persons: 2000, seedDate: new Date('2026-06-15T00:00:00Z') });
    store = await SUBGRAPHS['criminal-history'].openStore(location);
  }, 60_000);
  afterAll(() => store?.close());

  it('ranks A10000001 first for DOE / JOHN / 1985-03-14, with A10000007 (DOE, JON) next', async () => {
    const found = await findMatches(store, { lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-14' }, CRIMINAL_JUSTICE_POLICY, 10);
    expect(shown(found).slice(0, 2)).toEqual(['A10000001 1', 'A10000007 0.97']);
  });

  it('finds A10000001 by his alias JOHNNY, and DOE alone in id order', async () => {
    expect((await findMatches(store, { lastName: 'DOE', firstName: 'JOHNNY' }, CRIMINAL_JUSTICE_POLICY, 1))[0].person.id).toBe('A10000001');
    expect((await findMatches(store, { lastName: 'DOE' }, CRIMINAL_JUSTICE_POLICY, 10)).map((m) => m.person.id)).toEqual(['A10000001', 'A10000007']);
  });

  it('puts the fixture GARCIA, ROBERT first for his name, and SMITH, MARCUS for his', async () => {
    expect((await findMatches(store, { lastName: 'GARCIA', firstName: 'ROBERT', dateOfBirth: '1970-01-09' }, CRIMINAL_JUSTICE_POLICY, 5))[0]).toMatchObject({
      person: { id: 'A10000005' },
      score: 1,
    });
    expect((await findMatches(store, { lastName: 'SMITH', firstName: 'MARCUS', dateOfBirth: '1979-11-30' }, CRIMINAL_JUSTICE_POLICY, 5))[0]).toMatchObject({
      person: { id: 'A10000003' },
      score: 1,
    });
    expect(identityNameKey('García')).toBe('GARCIA');
  });
});
