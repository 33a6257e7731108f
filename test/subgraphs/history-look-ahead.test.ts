import { graphql } from 'graphql';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '../../access-policy/src';
import { DisclosureLog, fixedClock, peerAccessFor } from '../../platform/src';
import { buildSubgraphExecutableSchema } from '../../platform/src/subgraph/serve-subgraph';
import { seedStores } from '../../seed/src/seed-stores';
import { SUBGRAPHS } from '../../subgraphs';
import type { CriminalHistoryStore } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
import { personaCaller } from '../support/subgraph-harness';

/**
 * A search loads the histories of the persons it found before answering (history-look-ahead.ts).
 * What a caller relies on: the same answer as looking each person up, nothing read that their
 * rules deny or their query does not ask for, and a failed read failing only its own fields.
 */
describe('criminal-history: a search loads the histories it answers ahead', () => {
  const module = SUBGRAPHS['criminal-history'];
  const T = new Date('2026-06-15T00:00:00Z');
  const clock = fixedClock(T);
  let store: CriminalHistoryStore;
  const schema = buildSubgraphExecutableSchema(module);

  beforeAll(async () => {
    const location = { kind: 'sqlite' as const, dataDir: mkdtempSync(join(tmpdir(), 'custodian-look-ahead-')) };
    await seedStores(location, { persons: 2_000, seedDate: T });
    store = await module.openStore(location);
  }, 60_000);
  afterAll(() => store?.close());
  afterEach(() => jest.restoreAllMocks());

  const execute = async (caller: Caller, source: string, loaders = module.createLoaders(store, caller, clock)) => {
    const contextValue = { caller, store, clock, disclosure: new DisclosureLog(), peers: peerAccessFor(() => undefined, {}), loaders };
    return graphql({ schema, source, contextValue }) as Promise<{
      data?: Record<string, any> | null;
      errors?: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
    }>;
  };

  // Reached through a fragment spread, an inline fragment and aliases, as a client may write it.
  const HISTORY = `arrests { id date agency charges { statute level description disposition { type date court } } } convictions { statute date arrestId }`;
  const wideSearch = `query {
    searchPersons(lastName: "SMITH", limit: 50) { person { id ...P } }
  }
  fragment P on Person { ... on Person { record: criminalHistory { ...H } } }
  fragment H on CriminalHistory { ${HISTORY} }`;

  it.each(['officer', 'court-clerk'])("answers each person's history as looking that person up does (%s)", async (persona) => {
    const caller = personaCaller(persona, 'C', 'INC-1');
    const found = await execute(caller, wideSearch);
    expect(found.errors).toBeUndefined();
    const matches = found.data!.searchPersons as Array<{ person: { id: string; record: unknown } }>;
    expect(matches.length).toBeGreaterThan(10);
    const histories = matches.map((m) => m.person.record as { arrests: Array<{ charges: unknown[] }>; convictions: unknown[] });
    expect(histories.flatMap((h) => h.arrests).length).toBeGreaterThan(5);
    expect(histories.flatMap((h) => h.arrests.flatMap((a) => a.charges)).length).toBeGreaterThan(5);
    expect(histories.flatMap((h) => h.convictions).length).toBeGreaterThan(2);

    // The same persons looked up by SID, each on its own path (no look-ahead there).
    const lookups = await execute(caller, `{ ${matches.map((m, i) => `p${i}: person(id: "${m.person.id}") { criminalHistory { ${HISTORY} } }`).join(' ')} }`);
    expect(lookups.errors).toBeUndefined();
    expect(histories).toEqual(matches.map((_, i) => lookups.data![`p${i}`].criminalHistory));
  });

  it('reads the histories before answering, so their fields resolve without a promise each', async () => {
    const caller = personaCaller('officer', 'C', 'INC-1');
    const loaders = module.createLoaders(store, caller, clock);
    const answered: unknown[] = [];
    for (const name of ['arrests', 'charges', 'convictions'] as const) {
      const loader = loaders[name] as { now(key: string): unknown };
      const now = loader.now.bind(loader);
      loader.now = (key: string) => {
        const value = now(key);
        answered.push(value);
        return value;
      };
    }
    const result = await execute(caller, wideSearch, loaders);
    expect(result.errors).toBeUndefined();
    expect(answered.length).toBeGreaterThan(2 * result.data!.searchPersons.length);
    expect(answered.every((value) => Array.isArray(value))).toBe(true);
  });

  it.each([5, 50])('issues three batched reads (arrests, charges, convictions) at limit %i', async (limit) => {
    const arrests = jest.spyOn(store, 'arrestsByPersonIds');
    const charges = jest.spyOn(store, 'chargesByArrestIds');
    const convictions = jest.spyOn(store, 'convictionsByPersonIds');
    const result = await execute(personaCaller('officer', 'C', 'INC-1'), wideSearch.replace('limit: 50', `limit: ${limit}`));
    expect(result.errors).toBeUndefined();
    expect([arrests.mock.calls.length, charges.mock.calls.length, convictions.mock.calls.length]).toEqual([1, 1, 1]);
    expect(arrests.mock.calls[0][0]).toHaveLength(result.data!.searchPersons.length);
  });

  it('answers a skipped history as skipped', async () => {
    const result = await execute(
      personaCaller('officer', 'C', 'INC-1'),
      `{ searchPersons(lastName: "SMITH", limit: 5) { person { id criminalHistory @skip(if: true) { ${HISTORY} } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.searchPersons.every((m: { person: object }) => Object.keys(m.person).join() === 'id')).toBe(true);
  });

  it('reads no history when the search does not ask for one', async () => {
    const arrests = jest.spyOn(store, 'arrestsByPersonIds');
    const convictions = jest.spyOn(store, 'convictionsByPersonIds');
    const result = await execute(
      personaCaller('officer', 'C', 'INC-1'),
      '{ searchPersons(lastName: "SMITH", limit: 50) { score person { id name { last } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(arrests).not.toHaveBeenCalled();
    expect(convictions).not.toHaveBeenCalled();
  });

  it('reads nothing the caller may not see: no arrests for the employment view, no history for a dispatcher', async () => {
    const arrests = jest.spyOn(store, 'arrestsByPersonIds');
    const charges = jest.spyOn(store, 'chargesByArrestIds');
    const convictions = jest.spyOn(store, 'convictionsByPersonIds');
    const screening = await execute(
      personaCaller('employment-screener', 'I'),
      '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { person { id criminalHistory { arrests { id charges { statute } } convictions { statute date } } } } }',
    );
    const screened = screening.data!.searchPersons as Array<{ person: { criminalHistory: { arrests: unknown; convictions: unknown[] } } }>;
    expect(screened.length).toBeGreaterThan(0);
    expect(screened.every((m) => m.person.criminalHistory.arrests === null)).toBe(true);
    expect(screened.some((m) => m.person.criminalHistory.convictions.length > 0)).toBe(true);
    expect(screening.errors!.map((e) => [e.path!.join('.'), e.extensions!.code])).toEqual(
      screened.map((_, i) => [`searchPersons.${i}.person.criminalHistory.arrests`, 'FORBIDDEN']),
    );
    expect(arrests).not.toHaveBeenCalled();
    expect(charges).not.toHaveBeenCalled();
    expect(convictions).toHaveBeenCalledTimes(1);

    convictions.mockClear();
    const dispatch = await execute(
      personaCaller('dispatcher', 'C', 'INC-1'),
      `{ searchPersons(lastName: "SMITH", limit: 5) { person { id criminalHistory { ${HISTORY} } } } }`,
    );
    expect(dispatch.errors!.every((e) => e.extensions!.code === 'FORBIDDEN')).toBe(true);
    expect(arrests).not.toHaveBeenCalled();
    expect(convictions).not.toHaveBeenCalled();
  });

  it('fails only the fields whose read failed', async () => {
    const failing = jest.spyOn(store, 'arrestsByPersonIds').mockRejectedValue(new Error('disk I/O error at /var/lib/records/criminal-history.sqlite'));
    const result = await execute(personaCaller('officer', 'C', 'INC-1'), wideSearch);
    // Read once: the failure stays with its keys for the request, the store is not asked again.
    expect(failing).toHaveBeenCalledTimes(1);
    const matches = result.data!.searchPersons as Array<{ person: { id: string; record: { arrests: unknown; convictions: unknown[] } | null } }>;
    expect(matches.length).toBeGreaterThan(10);
    expect(matches.every((m) => /^A\d{8}$/.test(m.person.id))).toBe(true);
    expect(matches.every((m) => m.person.record!.arrests === null && Array.isArray(m.person.record!.convictions))).toBe(true);
    expect(matches.some((m) => m.person.record!.convictions.length > 0)).toBe(true);
    expect(result.errors!.map((e) => e.path!.join('.'))).toEqual(matches.map((_, i) => `searchPersons.${i}.person.record.arrests`));
  });
});
