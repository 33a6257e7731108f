import { buildFixtures } from '../../seed/src/fixtures';
import { FIXTURE_T, openSubgraph, personaCaller } from '../support/subgraph-harness';

describe('criminal-history resolvers', () => {
  let sg: Awaited<ReturnType<typeof openSubgraph>>;
  beforeAll(async () => {
    sg = await openSubgraph('criminal-history');
  });
  afterAll(() => sg.close());

  it('resolves a person by SID and null for an unknown or malformed one', async () => {
    const r = await sg.execute(
      personaCaller('officer'),
      '{ a: person(id: "A10000006") { name { last } } b: person(id: "A19999999") { id } c: person(id: "x") { id } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ a: { name: { last: 'LEE' } }, b: null, c: null });
  });

  it('resolves persons by key for the gateway (_entities), through the loaders', async () => {
    const r = await sg.execute(personaCaller('officer'), 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id dateOfBirth } } }', {
      r: [
        { __typename: 'Person', id: 'A10000002' },
        { __typename: 'Person', id: 'A10000001' },
      ],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities).toEqual([
      { id: 'A10000002', dateOfBirth: '1988-07-02' },
      { id: 'A10000001', dateOfBirth: '1985-03-14' },
    ]);
  });

  it("answers a person's details as seeded, whether the person was looked up or found by a search", async () => {
    const doe = buildFixtures(FIXTURE_T).criminalHistory.persons.find((p) => p.id === 'A10000001')!;
    const details = `id sex physical { heightInches weightPounds eyeColor hairColor }
      identifiers { fbiNumber ssnLast4 driverLicense { number state } } lastKnownAddress { street city state postalCode }`;
    const r = await sg.execute(
      personaCaller('officer'),
      `{ person(id: "A10000001") { ${details} } searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14", limit: 1) { person { ${details} } } }`,
    );
    expect(r.errors).toBeUndefined();
    const expected = { id: doe.id, sex: doe.sex, physical: doe.physical, identifiers: doe.identifiers, lastKnownAddress: doe.lastKnownAddress };
    expect(r.data!.person).toEqual(expected);
    expect(r.data!.searchPersons).toEqual([{ person: expected }]);
  });

  it('derives convictions from charges whose disposition is CONVICTED, newest first', async () => {
    const r = await sg.execute(
      personaCaller('officer'),
      '{ person(id: "A10000001") { criminalHistory { convictions { statute date arrestId } lastUpdated } } }',
    );
    expect(r.errors).toBeUndefined();
    const history = r.data!.person.criminalHistory;
    expect(history.convictions.map((c: any) => c.statute)).toEqual(['PC 459', 'VC 23152(a)']);
    expect(history.convictions[0].arrestId).toMatch(/^AR-/);
    // The latest thing the officer may see: the pending arrest, a year before T.
    expect(history.lastUpdated).toBe('2025-06-15T00:00:00.000Z');
  });

  it('refuses limits outside 1–50 for criminal-justice searches with BAD_USER_INPUT', async () => {
    const r = await sg.execute(personaCaller('officer'), '{ searchPersons(lastName: "DOE", limit: 51) { score } }');
    expect(r.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toContain('between 1 and 50');
  });
});

describe('orders resolvers', () => {
  let sg: Awaited<ReturnType<typeof openSubgraph>>;
  beforeAll(async () => {
    sg = await openSubgraph('orders');
  });
  afterAll(() => sg.close());

  it('lists every event of an order in order, with who made it', async () => {
    const r = await sg.execute(
      personaCaller('court-clerk'),
      '{ protectiveOrder(id: "PO-000001") { version history { version type by byOri changes { field } } } }',
    );
    expect(r.errors).toBeUndefined();
    const order = r.data!.protectiveOrder;
    expect(order.version).toBe(2);
    expect(order.history.map((e: any) => [e.version, e.type, e.by])).toEqual([
      [1, 'ISSUED', 'u-clerk-3001'],
      [2, 'SERVED', 'u-officer-1001'],
    ]);
    expect(order.history[1].changes.map((c: any) => c.field)).toEqual(['service']);
  });

  it('finds orders by case number', async () => {
    const r = await sg.execute(personaCaller('officer'), '{ protectiveOrders(caseNumber: "CH-23-004410") { id status } }');
    expect(r.data!.protectiveOrders).toEqual([{ id: 'PO-000003', status: 'TERMINATED' }]);
  });
});

describe('alerts resolvers', () => {
  let sg: Awaited<ReturnType<typeof openSubgraph>>;
  beforeAll(async () => {
    sg = await openSubgraph('alerts');
  });
  afterAll(() => sg.close());

  it('lists active alerts by type', async () => {
    const r = await sg.execute(personaCaller('officer'), '{ alerts(type: WANTED_PERSON) { id subject { id } warrant { extradition bailAmount } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.alerts).toEqual([{ id: 'AL-0000001', subject: { id: 'A10000003' }, warrant: { extradition: 'FULL', bailAmount: 250000 } }]);
  });

  it('refuses a limit above 500', async () => {
    const r = await sg.execute(personaCaller('officer'), '{ alerts(limit: 501) { id } }');
    expect(r.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
