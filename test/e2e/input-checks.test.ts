import type { AuditRecord } from '../../access-policy/src';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { MAX_INPUT_LENGTHS } from '../../platform/src/input-limits';
import { startStack, STORE_KINDS, type GraphQLResult, type Stack, type StoreKind } from '../support/stack';

const SEARCH_LITERAL = (dateOfBirth: string) => `{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: ${dateOfBirth}) { score } }`;
const SEARCH_VARIABLES =
  'query Search($last: String!, $first: String, $dob: Date) { searchPersons(lastName: $last, firstName: $first, dateOfBirth: $dob) { score person { id } } }';
const ISSUE = 'mutation Issue($input: IssueProtectiveOrderInput!) { issueProtectiveOrder(input: $input) { id } }';
const issueInput = (party: Record<string, unknown>) => ({
  caseNumber: 'FL-26-009101',
  court: 'LOS ANGELES SUPERIOR COURT',
  type: 'DVRO',
  restrainedPersonId: 'A10000006',
  protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, dateOfBirth: '1988-07-02', relationship: 'DATING', ...party }],
  terms: { noContact: true, firearmsProhibited: true },
});

/**
 * docs/design.md §7 (issue 18, items 4 and 5): a malformed scalar or an over-long string is the caller's
 * mistake, refused at the gateway before any subgraph is called — BAD_USER_INPUT naming the
 * argument, recorded INVALID — never reported as a source outage.
 */
describe.each(STORE_KINDS)('arguments are checked at the gateway before any work, on %s', (store: StoreKind) => {
  let stack: Stack;
  let audit: SqlAuditStore;
  beforeAll(async () => {
    stack = await startStack({ persons: 100, store });
    audit = await SqlAuditStore.open(store === 'postgres' ? { kind: 'postgres', url: stack.env.DATABASE_URL } : { kind: 'sqlite', dataDir: stack.dataDir });
  });
  afterAll(async () => {
    await audit?.close();
    await stack?.stop();
  });

  async function recordsOf(result: GraphQLResult): Promise<AuditRecord[]> {
    const id = result.headers.get('x-request-id');
    for (let i = 0; i < 40; i++) {
      const found = (await audit.query({ limit: 1000 })).filter((r) => r.requestId === id);
      if (found.length) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    return [];
  }

  /** Refused as the caller's input error: 400, BAD_USER_INPUT, a message naming the argument, no data, one INVALID record. */
  async function expectBadInput(result: GraphQLResult, names: RegExp) {
    expect({ status: result.status, codes: result.body.errors?.map((e) => e.extensions?.code) }).toEqual({ status: 400, codes: ['BAD_USER_INPUT'] });
    expect(result.body.errors![0].message).toMatch(names);
    expect(result.body.data ?? null).toBeNull();
    expect((await recordsOf(result)).map((r) => r.outcome)).toEqual(['INVALID']);
  }

  describe('a malformed Date or DateTime', () => {
    it.each([['"1985-3-14"'], ['"19850314"'], ['19850314'], ['["1985-03-14"]'], ['"1985-02-30"']])('written inline (dateOfBirth: %s)', async (literal) => {
      await expectBadInput(await stack.query('officer', SEARCH_LITERAL(literal)), /argument "dateOfBirth" of searchPersons/i);
    });

    it.each([['1985-3-14'], ['19850314'], [19850314], [['1985-03-14']], [{ y: 1985 }]])('sent as a variable ($dob = %j)', async (dob) => {
      const result = await stack.query('officer', SEARCH_VARIABLES, { last: 'DOE', first: 'JOHN', dob });
      await expectBadInput(result, /variable "\$dob".*argument "dateOfBirth" of searchPersons/i);
    });

    it('inside an input object, naming the path', async () => {
      const result = await stack.query('court-clerk', ISSUE, { input: issueInput({ dateOfBirth: '1988-7-2' }) });
      await expectBadInput(result, /variable "\$input" \(argument "input" of issueProtectiveOrder\) at input\.protectedParties\[0\]\.dateOfBirth/i);
    });

    it('a DateTime the auditors query takes', async () => {
      const result = await stack.query('auditor', '{ auditEvents(from: "yesterday") { id } }');
      await expectBadInput(result, /argument "from" of auditEvents/i);
    });

    it('a well-formed date still finds the person', async () => {
      const result = await stack.query('officer', SEARCH_VARIABLES, { last: 'DOE', first: 'JOHN', dob: '1985-03-14' });
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data!.searchPersons.map((m: any) => m.person.id)).toContain('A10000001');
    });
  });

  describe('every string has a maximum length', () => {
    const limit = MAX_INPUT_LENGTHS['Query.searchPersons(lastName:)'];

    it(`a last name of ${limit} characters is searched`, async () => {
      const result = await stack.query('officer', SEARCH_VARIABLES, { last: 'D'.repeat(limit) });
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
    });

    it('one character more is refused, inline or as a variable', async () => {
      const inline = await stack.query('officer', `{ searchPersons(lastName: "${'D'.repeat(limit + 1)}") { score } }`);
      await expectBadInput(inline, new RegExp(`argument "lastName" of searchPersons is longer than ${limit} characters`, 'i'));
      const variable = await stack.query('officer', SEARCH_VARIABLES, { last: 'D'.repeat(95_000) });
      await expectBadInput(variable, /variable "\$last".*longer than 64/i);
      expect(variable.text).not.toContain('DDDDDDDDDD');
    });

    it('a string inside an input object, with its own limit', async () => {
      const long = 'R'.repeat(MAX_INPUT_LENGTHS['PersonNameInput.last'] + 1);
      const result = await stack.query('court-clerk', ISSUE, { input: issueInput({ name: { last: long, first: 'JANE' } }) });
      await expectBadInput(result, /at input\.protectedParties\[0\]\.name\.last is longer than 60 characters/i);
    });

    it('a name in the document (field, operation) over 128 characters: one error, the name not echoed', async () => {
      for (const query of [`{ ${'N'.repeat(5000)} }`, `query ${'N'.repeat(129)} { __typename }`]) {
        const result = await stack.query('officer', query);
        expect({ status: result.status, errors: result.body.errors?.map((e) => [e.extensions?.code, e.message]) }).toEqual({
          status: 400,
          errors: [['GRAPHQL_VALIDATION_FAILED', 'A name in the document is longer than 128 characters']],
        });
        expect(result.text).not.toContain('N'.repeat(100));
        expect((await recordsOf(result)).map((r) => r.outcome)).toEqual(['INVALID']);
      }
    });

    it('an argument with no limit of its own takes the default (an id)', async () => {
      const result = await stack.query('officer', `{ person(id: "${'A'.repeat(65)}") { id } }`);
      await expectBadInput(result, /argument "id" of person is longer than 64 characters/i);
    });
  });

  it('no subgraph is asked: with criminal-history down, a malformed date is still the caller’s error', async () => {
    await stack.kill('criminal-history');
    const result = await stack.query('officer', SEARCH_VARIABLES, { last: 'DOE', dob: '1985-3-14' });
    await expectBadInput(result, /variable "\$dob"/i);
  });
});
