import { graphql } from 'graphql';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisclosureLog, fixedClock, peerAccessFor, type Caller } from '../../platform/src';
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

  const execute = async (caller: Caller, source: string) => {
    const contextValue = { caller, store, clock, disclosure: new DisclosureLog(), peers: peerAccessFor(() => undefined, {}), loaders: module.createLoaders(store, caller, clock) };
    return graphql({ schema, source, contextValue }) as Promise<{ data?: Record<string, any> | null; errors?: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }> }>;
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

  it('issues the same three batched reads (arrests, charges, convictions) whatever the width', async () => {
    const arrests = jest.spyOn(store, 'arrestsByPersonIds');
    const charges = jest.spyOn(store, 'chargesByArrestIds');
    const convictions = jest.spyOn(store, 'convictionsByPersonIds');
    const result = await execute(personaCaller('officer', 'C', 'INC-1'), wideSearch);
    expect(result.errors).toBeUndefined();
    expect([arrests.mock.calls.length, charges.mock.calls.length, convictions.mock.calls.length]).toEqual([1, 1, 1]);
    expect(arrests.mock.calls[0][0]).toHaveLength(result.data!.searchPersons.length);
  });

  it('reads no history when the search does not ask for one', async () => {
    const arrests = jest.spyOn(store, 'arrestsByPersonIds');
    const convictions = jest.spyOn(store, 'convictionsByPersonIds');
    const result = await execute(personaCaller('officer', 'C', 'INC-1'), '{ searchPersons(lastName: "SMITH", limit: 50) { score person { id name { last } } } }');
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
    const dispatch = await execute(personaCaller('dispatcher', 'C', 'INC-1'), `{ searchPersons(lastName: "SMITH", limit: 5) { person { id criminalHistory { ${HISTORY} } } } }`);
    expect(dispatch.errors!.every((e) => e.extensions!.code === 'FORBIDDEN')).toBe(true);
    expect(arrests).not.toHaveBeenCalled();
    expect(convictions).not.toHaveBeenCalled();
  });

  it('fails only the fields whose read failed', async () => {
    jest.spyOn(store, 'arrestsByPersonIds').mockRejectedValue(new Error('disk I/O error at /var/lib/records/criminal-history.sqlite'));
    const result = await execute(personaCaller('officer', 'C', 'INC-1'), wideSearch);
    const matches = result.data!.searchPersons as Array<{ person: { id: string; record: { arrests: unknown; convictions: unknown[] } | null } }>;
    expect(matches.length).toBeGreaterThan(10);
    expect(matches.every((m) => /^A\d{8}$/.test(m.person.id))).toBe(true);
    expect(matches.every((m) => m.person.record!.arrests === null && Array.isArray(m.person.record!.convictions))).toBe(true);
    expect(matches.some((m) => m.person.record!.convictions.length > 0)).toBe(true);
    expect(result.errors!.map((e) => e.path!.join('.'))).toEqual(matches.map((_, i) => `searchPersons.${i}.person.record.arrests`));
  });
});
