import { isDeepStrictEqual } from 'node:util';
import { outcomeAt } from '../support/denials';
import { startStack, type GraphQLResult, type Stack } from '../support/stack';

/**
 * docs/design.md §4, persona by persona and field by field, through the gateway against the fixture
 * persons. Each row: a field, where it sits in the answer, and what each persona gets.
 */
type Outcome = 'allowed' | 'denied' | 'refused';
interface Probe {
  field: string;
  query: string;
  path: string;
  expect: Record<'officer' | 'dispatcher' | 'court-clerk' | 'employment-screener' | 'auditor', Outcome>;
}

const A1 = '"A10000001"';
const PERSONAS = ['officer', 'dispatcher', 'court-clerk', 'employment-screener', 'auditor'] as const;
const PROBES: Probe[] = [
  {
    field: 'Person.name (rule 2)',
    query: `{ person(id: ${A1}) { name { last } } }`,
    path: 'person.name',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Person.dateOfBirth (rule 2)',
    query: `{ person(id: ${A1}) { dateOfBirth } }`,
    path: 'person.dateOfBirth',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Person.aliases (rule 2)',
    query: `{ person(id: ${A1}) { aliases { first } } }`,
    path: 'person.aliases',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Person.physical (rule 2)',
    query: `{ person(id: ${A1}) { physical { heightInches } } }`,
    path: 'person.physical',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Person.identifiers (rule 2)',
    query: `{ person(id: ${A1}) { identifiers { ssnLast4 } } }`,
    path: 'person.identifiers',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Person.lastKnownAddress (rule 2)',
    query: `{ person(id: ${A1}) { lastKnownAddress { city } } }`,
    path: 'person.lastKnownAddress',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'CriminalHistory.arrests (rule 3)',
    query: `{ person(id: ${A1}) { criminalHistory { arrests { date } } } }`,
    path: 'person.criminalHistory.arrests',
    expect: { officer: 'allowed', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'CriminalHistory.convictions (rules 3–4)',
    query: `{ person(id: ${A1}) { criminalHistory { convictions { statute } } } }`,
    path: 'person.criminalHistory.convictions',
    expect: { officer: 'allowed', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Arrest.sealed (rule 5)',
    query: `{ person(id: ${A1}) { criminalHistory { arrests { sealed } } } }`,
    path: 'person.criminalHistory.arrests.0.sealed',
    expect: { officer: 'denied', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Person.protectiveOrders (rule 6)',
    query: `{ person(id: ${A1}) { protectiveOrders { id } } }`,
    path: 'person.protectiveOrders',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'ProtectedParty.address (rule 6)',
    query: '{ protectiveOrder(id: "PO-000001") { protectedParties { address { street } } } }',
    path: 'protectiveOrder.protectedParties.0.address',
    expect: { officer: 'denied', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  // Rule 11: A10000002 is the protected party of PO-000001, in force: her address on every path.
  {
    field: "a protected party's Person.lastKnownAddress by SID (rule 11)",
    query: '{ person(id: "A10000002") { lastKnownAddress { street } } }',
    path: 'person.lastKnownAddress',
    expect: { officer: 'denied', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: "a protected party's Person.lastKnownAddress through her order (rule 11)",
    query: '{ protectiveOrder(id: "PO-000001") { protectedParties { person { id lastKnownAddress { street } } } } }',
    path: 'protectiveOrder.protectedParties.0.person.lastKnownAddress',
    expect: { officer: 'denied', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: "a protected party's Person.lastKnownAddress through the order restraining another (rule 11)",
    query: `{ person(id: ${A1}) { protectiveOrders { protectedParties { person { lastKnownAddress { city } } } } } }`,
    path: 'person.protectiveOrders.0.protectedParties.0.person.lastKnownAddress',
    expect: { officer: 'denied', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: "a protected party's Person.lastKnownAddress through her protectedBy (rule 11)",
    query: '{ person(id: "A10000002") { protectedBy { protectedParties { person { lastKnownAddress { city } } } } } }',
    path: 'person.protectedBy.0.protectedParties.0.person.lastKnownAddress',
    expect: { officer: 'denied', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: "a protected party's Person.lastKnownAddress in a search (rule 11)",
    query: '{ searchPersons(lastName: "ROE", firstName: "JANE", dateOfBirth: "1988-07-02") { person { lastKnownAddress { street } } } }',
    path: 'searchPersons.0.person.lastKnownAddress',
    expect: { officer: 'denied', dispatcher: 'denied', 'court-clerk': 'allowed', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Person.alerts (rule 7)',
    query: '{ person(id: "A10000003") { alerts { type } } }',
    path: 'person.alerts',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'denied', 'employment-screener': 'denied', auditor: 'refused' },
  },
  {
    field: 'Caution.note (rule 7)',
    query: '{ alert(id: "AL-0000001") { caution { note } } }',
    path: 'alert.caution.note',
    expect: { officer: 'allowed', dispatcher: 'allowed', 'court-clerk': 'denied', 'employment-screener': 'denied', auditor: 'refused' },
  },
];

/**
 * Every answer below holds both with the gateway removing, before planning, the fields a caller can
 * never read (rule 13) and with that step off: the subgraphs alone still enforce every rule.
 */
const GATEWAY_STEP = [
  ['with', 'on'],
  ['without', 'off'],
] as const;

describe.each(GATEWAY_STEP)('the authorization policy, persona by persona (docs/design.md §4), %s the gateway removing fields first', (_with, step) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ persons: 200, env: { GATEWAY_FIELD_POLICY: step } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe.each(PERSONAS)('%s', (persona) => {
    it.each(PROBES.map((p) => [p.field, p.expect[persona], p] as const))('%s: %s', async (_field, expected, probe) => {
      const result = await stack.query(persona, probe.query);
      const outcome = outcomeAt(result, probe.path);
      expect({ outcome, body: outcome === expected ? null : result.body }).toEqual({ outcome: expected, body: null });
      if (expected === 'refused') expect(result.status).toBe(403);
      if (expected === 'denied') {
        expect(result.status).toBe(200);
        expect(result.body.errors!.every((e) => e.message.startsWith('Not authorised'))).toBe(true);
      }
    });
  });

  it('denies a field without wiping its parent: the dispatcher gets the person with criminalHistory null', async () => {
    const { body } = await stack.query(
      'dispatcher',
      `{ person(id: ${A1}) { id name { last } criminalHistory { convictions { statute } } protectiveOrders { id } } }`,
    );
    expect(body.data!.person).toEqual({ id: 'A10000001', name: { last: 'DOE' }, criminalHistory: null, protectiveOrders: [{ id: 'PO-000001' }] });
    expect(body.errors).toEqual([expect.objectContaining({ path: ['person', 'criminalHistory'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  });

  describe('the employment view (criminal_history:employment, purpose I; rules 2, 4, 9)', () => {
    const search = (fields: string, dob = '1985-03-14', first = 'JOHN', last = 'DOE') =>
      `{ searchPersons(lastName: "${last}", firstName: "${first}", dateOfBirth: "${dob}") { score person { id ${fields} } } }`;
    const SCREENER_PROBES: Array<[string, string, string, Outcome]> = [
      ['Person.name is served to person:match callers', 'name { last first }', 'name', 'allowed'],
      ['Person.dateOfBirth is served to person:match callers', 'dateOfBirth', 'dateOfBirth', 'allowed'],
      ['Person.aliases needs person:read', 'aliases { first }', 'aliases', 'denied'],
      ['Person.physical needs person:read', 'physical { heightInches }', 'physical', 'denied'],
      ['Person.identifiers needs person:read', 'identifiers { fbiNumber }', 'identifiers', 'denied'],
      ['Person.lastKnownAddress needs person:read', 'lastKnownAddress { city }', 'lastKnownAddress', 'denied'],
      ['employers never see arrests (Labor Code 432.7)', 'criminalHistory { arrests { date } }', 'criminalHistory.arrests', 'denied'],
      ['employers see convictions', 'criminalHistory { convictions { statute } }', 'criminalHistory.convictions', 'allowed'],
      [
        'employers never see the arrest behind a conviction',
        'criminalHistory { convictions { arrestId } }',
        'criminalHistory.convictions.0.arrestId',
        'denied',
      ],
      ['employers never see protective orders', 'protectiveOrders { id }', 'protectiveOrders', 'denied'],
      ['employers never see alerts', 'alerts { id }', 'alerts', 'denied'],
    ];
    it.each(SCREENER_PROBES)('%s', async (_sentence, fields, path, expected) => {
      const result = await stack.query('employment-screener', search(fields));
      expect(outcomeAt(result, `searchPersons.0.person.${path}`)).toBe(expected);
    });

    it('shows A10000001 only the conviction of the last 7 years: not the DUI of T−10y, nothing dismissed, pending or sealed', async () => {
      const { body } = await stack.query(
        'employment-screener',
        search('criminalHistory { convictions { statute description level date court sentence } lastUpdated }'),
      );
      expect(body.errors).toBeUndefined();
      const a1 = body.data!.searchPersons.find((m: any) => m.person.id === 'A10000001');
      expect(a1.person.criminalHistory.convictions).toEqual([
        expect.objectContaining({ statute: 'PC 459', description: 'BURGLARY', level: 'FELONY', court: expect.any(String), sentence: expect.any(String) }),
      ]);
      // lastUpdated is the conviction's date, not the later (dismissed, pending) arrests'.
      expect(a1.person.criminalHistory.lastUpdated.slice(0, 10)).toBe(a1.person.criminalHistory.convictions[0].date);
    });

    it('hides a conviction dismissed under PC 1203.4 (A10000005) and shows one 6 years old (A10000003)', async () => {
      const a5 = await stack.query('employment-screener', search('criminalHistory { convictions { statute } }', '1970-01-09', 'ROBERT', 'GARCIA'));
      expect(a5.body.data!.searchPersons[0].person).toEqual({ id: 'A10000005', criminalHistory: { convictions: [] } });
      const a3 = await stack.query('employment-screener', search('criminalHistory { convictions { statute } }', '1979-11-30', 'MARCUS', 'SMITH'));
      expect(a3.body.data!.searchPersons[0].person).toEqual({ id: 'A10000003', criminalHistory: { convictions: [{ statute: 'PC 211' }] } });
    });

    it('requires lastName, firstName and dateOfBirth from person:match callers (rule 9)', async () => {
      const result = await stack.query('employment-screener', '{ searchPersons(lastName: "DOE", firstName: "JOHN") { person { id } } }');
      expect(result.body.data).toBeNull();
      expect(result.body.errors![0]).toMatchObject({ path: ['searchPersons'], extensions: { code: 'FORBIDDEN' } });
    });

    it('returns at most 5 candidates to person:match callers (rule 9)', async () => {
      const tooMany = await stack.query(
        'employment-screener',
        '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14", limit: 6) { score } }',
      );
      expect(tooMany.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    });

    it('answers a screener with the exact identity only: A10000001, scored 1, and not the look-alike A10000007 (rule 9)', async () => {
      const exact = await stack.query('employment-screener', search('name { last first } dateOfBirth criminalHistory { convictions { statute } }'));
      expect(exact.body.errors).toBeUndefined();
      expect(exact.body.data!.searchPersons).toEqual([
        {
          score: 1,
          person: {
            id: 'A10000001',
            name: { last: 'DOE', first: 'JOHN' },
            dateOfBirth: '1985-03-14',
            criminalHistory: { convictions: [{ statute: 'PC 459' }] },
          },
        },
      ]);
      expect(exact.text).not.toContain('PC 484');
      // Spelled otherwise (case, spaces, hyphens, apostrophes, diacritics) it is the same name.
      const spelled = await stack.query('employment-screener', search('', '1985-03-14', ' jöhn ', "d'o-e"));
      expect(spelled.body.data!.searchPersons).toEqual([{ score: 1, person: { id: 'A10000001' } }]);
      // A recorded alias is one of his names; the look-alike answers only to his own.
      const alias = await stack.query('employment-screener', search('', '1985-03-14', 'JOHNNY'));
      expect(alias.body.data!.searchPersons).toEqual([{ score: 1, person: { id: 'A10000001' } }]);
      const jon = await stack.query('employment-screener', search('', '1985-03-14', 'JON'));
      expect(jon.body.data!.searchPersons).toEqual([{ score: 1, person: { id: 'A10000007' } }]);
    });

    it.each([
      ['a date of birth a day off', '1985-03-15', 'JOHN', 'DOE'],
      ['a date of birth a year off', '1986-03-14', 'JOHN', 'DOE'],
      ['a date of birth a month off', '1985-04-14', 'JOHN', 'DOE'],
      ['a date of birth with a digit off', '1985-03-04', 'JOHN', 'DOE'],
      ['a first-name prefix (JO)', '1985-03-14', 'JO', 'DOE'],
      ['a sound-alike last name (DOUGH)', '1985-03-14', 'JOHN', 'DOUGH'],
      ['a date far off', '1990-01-01', 'JOHN', 'DOE'],
    ])('answers a screener nobody, without an error, for %s (rule 9)', async (_case, dob, first, last) => {
      const result = await stack.query('employment-screener', search('dateOfBirth criminalHistory { convictions { statute } }', dob, first, last));
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ data: { searchPersons: [] } });
    });

    it.each([
      [
        'two aliased searches',
        `{ a: searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-13") { score } b: searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score } }`,
      ],
      [
        'fifteen aliased searches over neighbouring dates',
        `{ ${Array.from({ length: 15 }, (_, i) => `d${i + 1}: searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-${String(i + 1).padStart(2, '0')}") { person { dateOfBirth } }`).join(' ')} }`,
      ],
      [
        'one search spread twice through a fragment',
        `query { ...s ... on Query { ...s } } fragment s on Query { searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score } }`,
      ],
    ])('refuses a screener the whole operation for %s: one searchPersons per operation (rule 9)', async (_case, query) => {
      const result = await stack.query('employment-screener', query);
      expect(result.status).toBe(403);
      expect(result.body.data).toBeUndefined();
      expect(result.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
      expect(result.text).not.toContain('A10000001');
    });

    it('lets criminal-justice callers make several searches in one operation, scored', async () => {
      const result = await stack.query(
        'officer',
        '{ a: searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score person { id } } b: searchPersons(lastName: "SMITH", firstName: "MARCUS") { person { id } } }',
      );
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data!.a.map((m: any) => m.person.id).slice(0, 2)).toEqual(['A10000001', 'A10000007']);
      expect(result.body.data!.a[1].score).toBeLessThan(1);
      expect(result.body.data!.b[0].person.id).toBe('A10000003');
    });

    it('never answers a screener with the text of a dismissed, pending, old, sealed or juvenile charge, by any path', async () => {
      const attempts = [
        search(
          'name { last } dateOfBirth criminalHistory { convictions { statute description date court sentence arrestId } lastUpdated arrests { date charges { statute description disposition { type relief } } } }',
        ),
        search('criminalHistory { arrests { sealed juvenile charges { statute } } }'),
        search('aliases { first } identifiers { fbiNumber } protectiveOrders { id } protectedBy { id } alerts { id }'),
        `{ person(id: "A10000001") { criminalHistory { arrests { charges { statute } } convictions { statute } } } }`,
        '{ protectiveOrder(id: "PO-000001") { restrainedPerson { criminalHistory { convictions { statute } arrests { date } } } } }',
        '{ alerts { subject { criminalHistory { convictions { statute } } } } }',
        '{ searchPersons(lastName: "DOE") { person { criminalHistory { convictions { statute } } } } }',
      ];
      const FORBIDDEN_TEXT = [
        'PC 273.5',
        'CORPORAL INJURY',
        'PC 11350',
        'CONTROLLED SUBSTANCE',
        'PC 647(f)',
        'INTOXICATION',
        'PC 594',
        'VANDALISM',
        'VC 23152',
        'UNDER THE INFLUENCE',
        'DISMISSED',
        'PENDING',
        'JUVENILE',
        'AR-',
      ];
      for (const q of attempts) {
        const { text } = await stack.query('employment-screener', q);
        for (const forbidden of FORBIDDEN_TEXT) expect({ q, leaked: text.includes(forbidden) ? forbidden : null }).toEqual({ q, leaked: null });
      }
    });
  });

  describe('purpose and reason (rule 1)', () => {
    const q = `{ person(id: ${A1}) { name { last } } }`;
    it.each([
      ['no purpose at all', 'officer', { 'x-purpose-code': undefined }],
      ['purpose C without a reason', 'officer', { 'x-reason': undefined }],
      ['purpose D without a reason', 'court-clerk', { 'x-reason': '' }],
      ['a purpose the token does not grant (officer asking for I)', 'officer', { 'x-purpose-code': 'I' }],
      ['a purpose the token does not grant (dispatcher asking for X)', 'dispatcher', { 'x-purpose-code': 'X' }],
      ['purpose R, reserved to the FBI', 'officer', { 'x-purpose-code': 'R' }],
      ['an unknown purpose code', 'officer', { 'x-purpose-code': 'Q' }],
      ['a reason longer than 64 characters', 'officer', { 'x-reason': 'X'.repeat(65) }],
    ])('refuses the whole operation for %s', async (_case, persona, headers) => {
      const result = await stack.query(persona, q, undefined, headers);
      expect(result.status).toBe(403);
      expect(result.body.data).toBeUndefined();
      expect(result.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    });

    it('allows purpose X (exigent) without a reason', async () => {
      const result = await stack.query('officer', q, undefined, { 'x-purpose-code': 'X', 'x-reason': undefined });
      expect(result.status).toBe(200);
      expect(result.body.data!.person.name.last).toBe('DOE');
    });

    it('lets the auditor run purpose-free operations but not lookups', async () => {
      const free = await stack.query('auditor', '{ __typename }');
      expect(free.body).toEqual({ data: { __typename: 'Query' } });
      const lookup = await stack.query('auditor', q, undefined, { 'x-purpose-code': 'C', 'x-reason': 'AUDIT-1' });
      expect(lookup.status).toBe(403);
    });
  });

  describe('no side door: the same rules hold on every path (rule 10)', () => {
    it("hides sealed records on an order's restrainedPerson exactly as on person()", async () => {
      const { body } = await stack.query(
        'officer',
        '{ protectiveOrder(id: "PO-000001") { restrainedPerson { criminalHistory { arrests { charges { statute } } } } } }',
      );
      const statutes = body.data!.protectiveOrder.restrainedPerson.criminalHistory.arrests.flatMap((a: any) => a.charges.map((c: any) => c.statute));
      expect(statutes).not.toContain('PC 647(f)');
      expect(statutes).not.toContain('PC 594(a)');
      expect(statutes).toHaveLength(4);
    });

    it("denies the dispatcher the criminal history of an order's restrained person and of an alert's subject", async () => {
      const viaOrder = await stack.query(
        'dispatcher',
        '{ protectiveOrder(id: "PO-000001") { id restrainedPerson { id criminalHistory { convictions { statute } } } } }',
      );
      expect(outcomeAt(viaOrder, 'protectiveOrder.restrainedPerson.criminalHistory')).toBe('denied');
      expect(viaOrder.body.data!.protectiveOrder.restrainedPerson.id).toBe('A10000001');
      const viaAlert = await stack.query('dispatcher', '{ alert(id: "AL-0000001") { subject { id criminalHistory { convictions { statute } } } } }');
      expect(outcomeAt(viaAlert, 'alert.subject.criminalHistory')).toBe('denied');
    });

    it('applies the employment view to persons fetched by key straight from the subgraph (_entities)', async () => {
      const token = await stack.internalToken('employment-screener', 'criminal-history', 'I');
      const call = (fields: string) =>
        fetch(stack.subgraphUrls['criminal-history'], {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-custodian-internal-token': token },
          body: JSON.stringify({
            query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { ${fields} } } }`,
            variables: { r: [{ __typename: 'Person', id: 'A10000001' }] },
          }),
        }).then((r) => r.json());
      const convictions = await call('criminalHistory { convictions { statute } }');
      expect(convictions.data._entities).toEqual([{ criminalHistory: { convictions: [{ statute: 'PC 459' }] } }]);
      const arrests = await call('criminalHistory { arrests { date } }');
      expect(arrests.errors[0]).toMatchObject({ path: ['_entities', 0, 'criminalHistory', 'arrests'], extensions: { code: 'FORBIDDEN' } });
    });
  });

  describe("a protected party's address on every path (rule 11)", () => {
    const address = (persona: string, sid: string) => stack.query(persona, `{ person(id: "${sid}") { lastKnownAddress { city } } }`);

    it('denies it to an officer fetching the person by key straight from the subgraph (_entities)', async () => {
      const token = await stack.internalToken('officer', 'criminal-history', 'C');
      const reply = await fetch(stack.subgraphUrls['criminal-history'], {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-custodian-internal-token': token },
        body: JSON.stringify({
          query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id lastKnownAddress { street } } } }',
          variables: {
            r: [
              { __typename: 'Person', id: 'A10000002' },
              { __typename: 'Person', id: 'A10000001' },
            ],
          },
        }),
      }).then((r) => r.json());
      expect(reply.data._entities[0]).toEqual({ id: 'A10000002', lastKnownAddress: null });
      expect(reply.data._entities[1].lastKnownAddress.street).toEqual(expect.any(String));
      expect(reply.errors).toEqual([
        expect.objectContaining({ path: ['_entities', 0, 'lastKnownAddress'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
    });

    it('closes the address of a person as soon as a court issues an order protecting them, and reopens it when the order is terminated', async () => {
      expect(outcomeAt(await address('officer', 'A10000006'), 'person.lastKnownAddress')).toBe('allowed');
      const issued = await stack.query(
        'court-clerk',
        `mutation { issueProtectiveOrder(input: {
          caseNumber: "FL-26-019019", court: "LOS ANGELES SUPERIOR COURT", type: DVRO, restrainedPersonId: "A10000007",
          protectedParties: [{ name: { last: "LEE", first: "SARAH" }, relationship: DATING, personId: "A10000006" }],
          terms: { noContact: true, firearmsProhibited: true }, expiresAt: "${new Date(Date.now() + 365 * 86_400_000).toISOString()}" }) { id version } }`,
      );
      expect(issued.body.errors).toBeUndefined();
      const order = issued.body.data!.issueProtectiveOrder;
      for (const persona of ['officer', 'dispatcher']) expect(outcomeAt(await address(persona, 'A10000006'), 'person.lastKnownAddress')).toBe('denied');
      expect(outcomeAt(await address('court-clerk', 'A10000006'), 'person.lastKnownAddress')).toBe('allowed');

      const ended = await stack.query(
        'court-clerk',
        `mutation { terminateProtectiveOrder(id: "${order.id}", expectedVersion: ${order.version}, reason: "DISSOLVED ON MOTION") { status } }`,
      );
      expect(ended.body.data!.terminateProtectiveOrder).toEqual({ status: 'TERMINATED' });
      expect(outcomeAt(await address('officer', 'A10000006'), 'person.lastKnownAddress')).toBe('allowed');
    });
  });

  describe('sealed and juvenile records exist only for criminal_history:sealed (rule 5)', () => {
    const q = `{ person(id: ${A1}) { criminalHistory { arrests { charges { statute } } convictions { statute } } } }`;
    it('for the officer they do not exist: four arrests, two convictions', async () => {
      const { body } = await stack.query('officer', q);
      expect(body.data!.person.criminalHistory.arrests).toHaveLength(4);
      expect(body.data!.person.criminalHistory.convictions.map((c: any) => c.statute)).toEqual(['PC 459', 'VC 23152(a)']);
    });
    it('arrest ids betray nothing of the records a caller cannot see: opaque, no sequence, the same for every caller (rule 12)', async () => {
      const ids = async (persona: string, sid: string) =>
        (await stack.query(persona, `{ person(id: "${sid}") { criminalHistory { arrests { id } convictions { arrestId } } } }`)).body.data!.person
          .criminalHistory as {
          arrests: Array<{ id: string }>;
          convictions: Array<{ arrestId: string }>;
        };
      const officer = await ids('officer', 'A10000001');
      const clerk = await ids('court-clerk', 'A10000001');
      const next = await ids('officer', 'A10000003');
      const seen = [...officer.arrests, ...clerk.arrests, ...next.arrests].map((a) => a.id);
      expect(seen.every((id) => /^AR-[0-9A-F]{20}$/.test(id))).toBe(true);
      expect(officer.arrests).toHaveLength(4);
      expect(clerk.arrests).toHaveLength(6);
      expect(clerk.arrests.map((a) => a.id)).toEqual(expect.arrayContaining(officer.arrests.map((a) => a.id)));
      expect(officer.convictions.every((c) => officer.arrests.some((a) => a.id === c.arrestId))).toBe(true);
      // Nothing to count between one person's arrests and the next person's.
      expect(seen.some((id) => /^AR-\d+$/.test(id))).toBe(false);
    });

    it('for the court clerk all six arrests exist, the juvenile adjudication among the convictions', async () => {
      const { body } = await stack.query(
        'court-clerk',
        `{ person(id: ${A1}) { criminalHistory { arrests { sealed juvenile charges { statute } } convictions { statute } } } }`,
      );
      const arrests = body.data!.person.criminalHistory.arrests;
      expect(arrests).toHaveLength(6);
      expect(arrests.filter((a: any) => a.sealed)).toHaveLength(2);
      expect(arrests.filter((a: any) => a.juvenile)).toHaveLength(1);
      expect(body.data!.person.criminalHistory.convictions.map((c: any) => c.statute)).toContain('PC 594(a)');
    });
  });
});

describe('the same answers with and without the gateway removing fields first (rule 13: the subgraphs still enforce every rule)', () => {
  let withStep: Stack;
  let withoutStep: Stack;
  beforeAll(async () => {
    [withStep, withoutStep] = await Promise.all([
      startStack({ persons: 200, env: { GATEWAY_FIELD_POLICY: 'on' } }),
      startStack({ persons: 200, env: { GATEWAY_FIELD_POLICY: 'off' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([withStep?.stop(), withoutStep?.stop()]);
  });

  const search = (fields: string) => `{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score person { id ${fields} } } }`;
  const OPERATIONS = [
    ...PROBES.map((p) => p.query),
    `{ person(id: ${A1}) { id name { last } criminalHistory { convictions { statute } } protectiveOrders { id } } }`,
    search(
      'name { last first } dateOfBirth aliases { first } physical { heightInches } identifiers { fbiNumber } lastKnownAddress { city } criminalHistory { arrests { date } convictions { statute arrestId } lastUpdated } protectiveOrders { id } protectedBy { id } alerts { id }',
    ),
    '{ protectiveOrder(id: "PO-000001") { id status restrainedPerson { id criminalHistory { arrests { id sealed } convictions { statute } } } protectedParties { name { last } address { street } person { id lastKnownAddress { city } } } history { version by byName } } }',
    `{ person(id: ${A1}) { criminalHistory { arrests { date sealed juvenile charges { statute disposition { type relief } } } } } }`,
    '{ alerts(limit: 3) { id caution { codes note } subject { id criminalHistory { convictions { statute } } } } }',
    '{ alert(id: "AL-0000001") { id caution { note } warrant { offense } } }',
  ];

  /**
   * An answer as a caller reads it, errors in path order (the two ways may list them in another
   * order). Each stack seeds with its own random id key, so arrest and alert ids are masked.
   */
  const normalised = (result: GraphQLResult): unknown =>
    JSON.parse(
      JSON.stringify({
        status: result.status,
        data: result.body.data,
        errors: [...(result.body.errors ?? [])]
          .map((e) => ({ message: e.message, path: e.path, extensions: e.extensions }))
          .sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path))),
      }).replace(/\b(AR|AL)-[0-9A-F]{20}\b/g, '$1-…'),
    );

  it.each(PERSONAS)('%s gets the same answer, error for error, to every operation', async (persona) => {
    const differing: Array<{ query: string; with: unknown; without: unknown }> = [];
    for (const query of OPERATIONS) {
      const [a, b] = await Promise.all([withStep.query(persona, query), withoutStep.query(persona, query)]);
      if (!isDeepStrictEqual(normalised(a), normalised(b))) differing.push({ query, with: normalised(a), without: normalised(b) });
    }
    expect(differing).toEqual([]);
  });
});
