import { fixedClock } from '../../platform/src';
import type { CriminalHistoryStore } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
import { FIXTURE_T, openSubgraph, personaCaller } from '../support/subgraph-harness';

/**
 * docs/design.md §4 rule 11, where criminal-history enforces it: while a person is a protected party of
 * an order in force (A10000002, protected by PO-000001), every address of that person needs
 * orders:protected_address — on person(), in a search, in an entity fetch — and the rule closes
 * the address when it cannot tell.
 */
describe('a protected party’s address, in criminal-history (rule 11)', () => {
  let sg: Awaited<ReturnType<typeof openSubgraph>>;
  beforeAll(async () => {
    sg = await openSubgraph('criminal-history');
  });
  afterAll(() => sg.close());
  afterEach(() => jest.restoreAllMocks());

  const store = () => sg.store as unknown as CriminalHistoryStore;
  const PATHS: Array<[string, string, Array<string | number>]> = [
    ['person()', '{ person(id: "A10000002") { lastKnownAddress { street city } } }', ['person', 'lastKnownAddress']],
    [
      'a search',
      '{ searchPersons(lastName: "ROE", firstName: "JANE", dateOfBirth: "1988-07-02") { person { id lastKnownAddress { street } } } }',
      ['searchPersons', 0, 'person', 'lastKnownAddress'],
    ],
    [
      'an entity fetch (_entities)',
      '{ _entities(representations: [{ __typename: "Person", id: "A10000002" }]) { ... on Person { lastKnownAddress { street } } } }',
      ['_entities', 0, 'lastKnownAddress'],
    ],
  ];

  it.each(PATHS)('denies officers and dispatchers a protected party’s address through %s', async (_path, query, at) => {
    for (const persona of ['officer', 'dispatcher']) {
      const r = await sg.execute(personaCaller(persona), query);
      expect({ persona, errors: r.errors?.map((e) => [e.path, e.extensions?.code]) }).toEqual({ persona, errors: [[at, 'FORBIDDEN']] });
      expect(JSON.stringify(r.data)).not.toContain('CONFIDENTIAL');
    }
  });

  it.each(PATHS)('gives orders:protected_address (the court clerk) a protected party’s address through %s', async (_path, query) => {
    const r = await sg.execute(personaCaller('court-clerk'), query);
    expect(r.errors).toBeUndefined();
    expect(JSON.stringify(r.data)).toMatch(/"street":"\d+ /);
  });

  it('leaves the address of someone no order in force protects to person:read (A10000001, restrained not protected)', async () => {
    const r = await sg.execute(personaCaller('officer'), '{ person(id: "A10000001") { lastKnownAddress { city } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.person.lastKnownAddress.city).toEqual(expect.any(String));
  });

  it('reopens the address once the order is no longer in force (PO-000001 expires T+3y−60d)', async () => {
    const later = await openSubgraph('criminal-history', fixedClock(new Date(FIXTURE_T.getTime() + 3 * 365 * 86_400_000)));
    try {
      const r = await later.execute(personaCaller('officer'), '{ person(id: "A10000002") { lastKnownAddress { city } } }');
      expect(r.errors).toBeUndefined();
      expect(r.data!.person.lastKnownAddress.city).toEqual(expect.any(String));
    } finally {
      await later.close();
    }
  });

  it('closes every address when the store does not know whom orders protect (fail closed)', async () => {
    jest.spyOn(store(), 'addressProtectionsKnown').mockResolvedValue(false);
    const r = await sg.execute(personaCaller('officer'), '{ person(id: "A10000001") { id lastKnownAddress { city } } }');
    expect(r.data!.person).toEqual({ id: 'A10000001', lastKnownAddress: null });
    expect(r.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('closes the address, without the store’s error, when the protections cannot be read (fail closed)', async () => {
    jest.spyOn(store(), 'personsWithConfidentialAddress').mockRejectedValue(new Error('connection to 10.0.0.5:5432 refused'));
    const r = await sg.execute(personaCaller('officer'), '{ person(id: "A10000001") { lastKnownAddress { city } } }');
    expect(r.data!.person).toEqual({ lastKnownAddress: null });
    expect(r.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(r.errors)).not.toContain('10.0.0.5');
  });

  it('asks the store once for every person of a search, not once per person', async () => {
    const reads = jest.spyOn(store(), 'personsWithConfidentialAddress');
    const r = await sg.execute(personaCaller('officer'), '{ searchPersons(lastName: "DOE", limit: 5) { person { lastKnownAddress { city } } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.searchPersons.length).toBeGreaterThan(1);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('takes whom an order protects only from the court’s order entries (orders:write, C or D)', async () => {
    const record = '{ recordAddressProtections(orderId: "PO-000077", protections: [{ personId: "A10000006", inForceUntil: null }]) }';
    const officer = await sg.execute(personaCaller('officer'), `mutation ${record}`);
    expect(officer.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const before = await sg.execute(personaCaller('officer'), '{ person(id: "A10000006") { lastKnownAddress { city } } }');
    expect(before.errors).toBeUndefined();

    const clerk = await sg.execute(personaCaller('court-clerk'), `mutation ${record}`);
    expect(clerk).toEqual({ data: { recordAddressProtections: true } });
    const during = await sg.execute(personaCaller('officer'), '{ person(id: "A10000006") { lastKnownAddress { city } } }');
    expect(during.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([[['person', 'lastKnownAddress'], 'FORBIDDEN']]);

    const ended = await sg.execute(
      personaCaller('court-clerk'),
      'mutation { recordAddressProtections(orderId: "PO-000077", protections: [{ personId: "A10000006", inForceUntil: "2026-01-01T00:00:00.000Z" }]) }',
    );
    expect(ended.errors).toBeUndefined();
    const after = await sg.execute(personaCaller('officer'), '{ person(id: "A10000006") { lastKnownAddress { city } } }');
    expect(after.errors).toBeUndefined();
  });
});
