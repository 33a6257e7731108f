import { dropTestDatabases } from '../support/postgres';
import { startStack, STORE_KINDS, type Stack } from '../support/stack';

/** What the court reads of an order: its authors' account ids too (orders:write). */
const ORDER_FIELDS =
  'id version status type issuedAt expiresAt terms { noContact stayAwayYards stayAwayFrom firearmsProhibited moveOut other } service { served servedAt method } history { version type by byName byOri changes { field from to } }';
/** What an officer reads: authors by name and agency, not by account id. */
const OFFICER_ORDER_FIELDS = ORDER_FIELDS.replace(' by byName', ' byName');

const ISSUE = /* GraphQL */ `
  mutation Issue($input: IssueProtectiveOrderInput!) { issueProtectiveOrder(input: $input) { ${ORDER_FIELDS} } }
`;
const MODIFY = /* GraphQL */ `
  mutation Modify($id: ID!, $v: Int!, $changes: ProtectiveOrderChanges!) { modifyProtectiveOrder(id: $id, expectedVersion: $v, changes: $changes) { ${ORDER_FIELDS} } }
`;
const SERVE = /* GraphQL */ `
  mutation Serve($id: ID!, $v: Int!, $at: DateTime!, $method: ServiceMethod!) { recordProofOfService(id: $id, expectedVersion: $v, servedAt: $at, method: $method) { ${OFFICER_ORDER_FIELDS} } }
`;
const TERMINATE = /* GraphQL */ `
  mutation Terminate($id: ID!, $v: Int!, $reason: String!) { terminateProtectiveOrder(id: $id, expectedVersion: $v, reason: $reason) { ${ORDER_FIELDS} } }
`;
const OFFICER_VIEW = `query($id: ID!) { person(id: $id) { protectiveOrders { ${OFFICER_ORDER_FIELDS} } } }`;

const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString();
const issueInput = (overrides: Record<string, unknown> = {}) => ({
  caseNumber: 'FL-26-009001',
  court: 'LOS ANGELES SUPERIOR COURT',
  type: 'DVRO',
  restrainedPersonId: 'A10000006',
  protectedParties: [
    {
      name: { last: 'ROE', first: 'JANE' },
      dateOfBirth: '1988-07-02',
      relationship: 'DATING',
      personId: 'A10000002',
      address: { street: '9 SAFE HOUSE RD', city: 'PASADENA', state: 'CA', postalCode: '91101' },
    },
  ],
  terms: { noContact: true, stayAwayYards: 100, stayAwayFrom: ['PROTECTED PARTY', 'HOME'], firearmsProhibited: true },
  expiresAt: inAYear(),
  ...overrides,
});

/** docs/design.md §2–4 and issue 5: the court enters and changes orders; officers see every change at once. */
describe.each(STORE_KINDS)('the protective order lifecycle, through the gateway, on %s', (store) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ persons: 100, store });
  });
  afterAll(async () => {
    await stack?.stop();
    await dropTestDatabases();
  });

  it('lets the clerk issue and modify, the officer read between steps and record service, and the clerk terminate', async () => {
    // The clerk issues (purpose D, with the docket number as reason).
    const issued = await stack.query('court-clerk', ISSUE, { input: issueInput() });
    expect(issued.body.errors).toBeUndefined();
    const order = issued.body.data!.issueProtectiveOrder;
    expect(order).toMatchObject({
      version: 1,
      status: 'ACTIVE',
      type: 'DVRO',
      service: { served: false },
      terms: { stayAwayYards: 100, firearmsProhibited: true, moveOut: false },
    });
    expect(order.id).toMatch(/^PO-\d{6}$/);
    expect(order.history).toEqual([expect.objectContaining({ version: 1, type: 'ISSUED', by: 'u-clerk-3001', byOri: 'CA019015J' })]);

    // The officer sees it at once, on the restrained person and on the protected one.
    const seen = await stack.query('officer', OFFICER_VIEW, { id: 'A10000006' });
    expect(seen.body.data!.person.protectiveOrders).toEqual([expect.objectContaining({ id: order.id, status: 'ACTIVE', version: 1 })]);
    const protectedBy = await stack.query('officer', '{ person(id: "A10000002") { protectedBy { id } } }');
    expect(protectedBy.body.data!.person.protectedBy.map((o: any) => o.id)).toContain(order.id);

    // The clerk modifies the stay-away distance; the officer's next read shows it.
    const modified = await stack.query('court-clerk', MODIFY, { id: order.id, v: 1, changes: { terms: { stayAwayYards: 200, moveOut: true } } });
    expect(modified.body.errors).toBeUndefined();
    expect(modified.body.data!.modifyProtectiveOrder).toMatchObject({ version: 2, terms: { stayAwayYards: 200, moveOut: true, noContact: true } });
    const afterModify = await stack.query('officer', OFFICER_VIEW, { id: 'A10000006' });
    expect(afterModify.body.data!.person.protectiveOrders[0]).toMatchObject({ version: 2, terms: { stayAwayYards: 200 } });

    // The serving officer records proof of service (orders:serve, purpose C).
    const servedAt = new Date().toISOString();
    const served = await stack.query('officer', SERVE, { id: order.id, v: 2, at: servedAt, method: 'PERSONAL' });
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data!.recordProofOfService).toMatchObject({ version: 3, service: { served: true, servedAt, method: 'PERSONAL' } });

    // The clerk terminates; the officer sees TERMINATED and the whole history, in order.
    const ended = await stack.query('court-clerk', TERMINATE, { id: order.id, v: 3, reason: 'DISSOLVED AT HEARING' });
    expect(ended.body.errors).toBeUndefined();
    const final = await stack.query('officer', OFFICER_VIEW, { id: 'A10000006' });
    const last = final.body.data!.person.protectiveOrders[0];
    expect(last).toMatchObject({ status: 'TERMINATED', version: 4 });
    expect(last.history.map((e: any) => [e.version, e.type, e.byName])).toEqual([
      [1, 'ISSUED', 'Clerk Priya Natarajan'],
      [2, 'MODIFIED', 'Clerk Priya Natarajan'],
      [3, 'SERVED', 'Officer Dana Reyes'],
      [4, 'TERMINATED', 'Clerk Priya Natarajan'],
    ]);
    // The authors' account ids are the court's: the clerk sees them, the officer gets FORBIDDEN.
    const courtView = await stack.query('court-clerk', `{ protectiveOrder(id: "${order.id}") { history { version by } } }`);
    expect(courtView.body.data!.protectiveOrder.history.map((e: any) => e.by)).toEqual(['u-clerk-3001', 'u-clerk-3001', 'u-officer-1001', 'u-clerk-3001']);
    const officerAsks = await stack.query('officer', `{ protectiveOrder(id: "${order.id}") { history { version by } } }`);
    expect(officerAsks.body.data!.protectiveOrder.history.map((e: any) => e.by)).toEqual([null, null, null, null]);
    expect(officerAsks.body.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual(
      [0, 1, 2, 3].map((i) => ['FORBIDDEN', `protectiveOrder.history.${i}.by`]),
    );
    expect(last.history[1].changes).toEqual(expect.arrayContaining([{ field: 'terms.stayAwayYards', from: '100', to: '200' }]));

    // Every mutation is audited like any query, naming the order and the persons touched.
    const audit = await stack.query('auditor', `{ auditEvents(subject: "ProtectiveOrder:${order.id}") { user operationType operationName outcome subjects } }`);
    const mutations = audit.body.data!.auditEvents.filter((e: any) => e.operationType === 'mutation');
    expect(mutations.map((e: any) => e.operationName).sort()).toEqual(['Issue', 'Modify', 'Serve', 'Terminate']);
    expect(mutations.find((e: any) => e.operationName === 'Issue').subjects).toEqual(
      expect.arrayContaining([`ProtectiveOrder:${order.id}`, 'Person:A10000006', 'Person:A10000002']),
    );
    expect(mutations.every((e: any) => e.outcome === 'ALLOWED')).toBe(true);
  });

  describe('optimistic concurrency', () => {
    let id: string;
    beforeAll(async () => {
      const { body } = await stack.query('court-clerk', ISSUE, {
        input: issueInput({
          caseNumber: 'FL-26-009002',
          restrainedPersonId: 'A10000007',
          protectedParties: [{ name: { last: 'PARK', first: 'MIN' }, relationship: 'FORMER_SPOUSE' }],
        }),
      });
      id = body.data!.issueProtectiveOrder.id;
    });

    it('refuses a stale expectedVersion with CONFLICT and changes nothing', async () => {
      const ok = await stack.query('court-clerk', MODIFY, { id, v: 1, changes: { terms: { stayAwayYards: 150 } } });
      expect(ok.body.errors).toBeUndefined();
      const stale = await stack.query('court-clerk', MODIFY, { id, v: 1, changes: { terms: { stayAwayYards: 500 } } });
      expect(stale.body.errors![0]).toMatchObject({ path: ['modifyProtectiveOrder'], extensions: { code: 'CONFLICT' } });
      expect(stale.body.data!.modifyProtectiveOrder).toBeNull();
      const { body } = await stack.query('officer', `{ protectiveOrder(id: "${id}") { version terms { stayAwayYards } history { version } } }`);
      expect(body.data!.protectiveOrder).toEqual({ version: 2, terms: { stayAwayYards: 150 }, history: [{ version: 1 }, { version: 2 }] });
    });

    it('lets exactly one of two concurrent modifications win', async () => {
      const results = await Promise.all(
        [300, 400, 500].map((yards) => stack.query('court-clerk', MODIFY, { id, v: 2, changes: { terms: { stayAwayYards: yards } } })),
      );
      const won = results.filter((r) => !r.body.errors);
      const lost = results.filter((r) => r.body.errors?.[0].extensions?.code === 'CONFLICT');
      expect([won.length, lost.length]).toEqual([1, 2]);
      const { body } = await stack.query('officer', `{ protectiveOrder(id: "${id}") { version terms { stayAwayYards } } }`);
      expect(body.data!.protectiveOrder).toEqual({ version: 3, terms: { stayAwayYards: won[0].body.data!.modifyProtectiveOrder.terms.stayAwayYards } });
    });
  });

  describe('validation: clear BAD_USER_INPUT errors, nothing written', () => {
    const expectBadInput = async (result: Awaited<ReturnType<Stack['query']>>, message: RegExp) => {
      expect(result.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      expect(result.body.errors![0].message).toMatch(message);
    };

    it('an unknown restrained person', async () => {
      await expectBadInput(await stack.query('court-clerk', ISSUE, { input: issueInput({ restrainedPersonId: 'A19999999' }) }), /unknown person.*A19999999/);
    });
    it('an unknown protected person', async () => {
      const input = issueInput({ protectedParties: [{ name: { last: 'X', first: 'Y' }, relationship: 'OTHER', personId: 'A18888888' }] });
      await expectBadInput(await stack.query('court-clerk', ISSUE, { input }), /A18888888/);
    });
    it('an expiry before the issue date', async () => {
      const input = issueInput({ issuedAt: new Date(Date.now() - 86_400_000).toISOString(), expiresAt: new Date(Date.now() - 2 * 86_400_000).toISOString() });
      await expectBadInput(await stack.query('court-clerk', ISSUE, { input }), /expiresAt must be after issuedAt/);
    });
    it('an order type the court cannot issue (a court entering an EPO; a JUVENILE order from a family court)', async () => {
      await expectBadInput(await stack.query('court-clerk', ISSUE, { input: issueInput({ type: 'EPO' }) }), /cannot be issued here/);
      await expectBadInput(await stack.query('court-clerk', ISSUE, { input: issueInput({ type: 'JUVENILE' }) }), /juvenile court/);
    });
    it('service dated before the order was issued', async () => {
      const { body } = await stack.query('officer', '{ protectiveOrder(id: "PO-000001") { version issuedAt } }');
      const before = new Date(Date.parse(body.data!.protectiveOrder.issuedAt) - 86_400_000).toISOString();
      await expectBadInput(
        await stack.query('officer', SERVE, { id: 'PO-000001', v: body.data!.protectiveOrder.version, at: before, method: 'PERSONAL' }),
        /before the order was issued/,
      );
    });
    it('terminating an order that is already terminated', async () => {
      const { body } = await stack.query('officer', '{ protectiveOrder(id: "PO-000003") { version status } }');
      expect(body.data!.protectiveOrder.status).toBe('TERMINATED');
      await expectBadInput(
        await stack.query('court-clerk', TERMINATE, { id: 'PO-000003', v: body.data!.protectiveOrder.version, reason: 'AGAIN' }),
        /TERMINATED and cannot be terminated/,
      );
    });
  });

  describe('refused to everyone the policy does not name (docs/design.md §4 rule 6)', () => {
    const read = async () => (await stack.query('officer', '{ protectiveOrder(id: "PO-000001") { version } }')).body.data!.protectiveOrder.version as number;

    it.each([
      ['the officer may not issue', 'officer', () => ({ q: ISSUE, v: { input: issueInput() } })],
      ['the dispatcher may not issue', 'dispatcher', () => ({ q: ISSUE, v: { input: issueInput() } })],
      ['the officer may not modify', 'officer', (v: number) => ({ q: MODIFY, v: { id: 'PO-000001', v, changes: { terms: { stayAwayYards: 1 } } } })],
      ['the officer may not terminate', 'officer', (v: number) => ({ q: TERMINATE, v: { id: 'PO-000001', v, reason: 'X' } })],
      [
        'the dispatcher may not record service',
        'dispatcher',
        (v: number) => ({ q: SERVE, v: { id: 'PO-000001', v, at: new Date().toISOString(), method: 'PERSONAL' } }),
      ],
    ])('%s (FORBIDDEN, nothing written)', async (_sentence, persona, make) => {
      const before = await read();
      const { q, v } = make(before);
      const result = await stack.query(persona, q, v);
      expect(result.body.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect(await read()).toBe(before);
    });

    it('the officer may not record service under purpose X (orders:serve needs purpose C)', async () => {
      const v = await read();
      const result = await stack.query(
        'officer',
        SERVE,
        { id: 'PO-000001', v, at: new Date().toISOString(), method: 'PERSONAL' },
        { 'x-purpose-code': 'X', 'x-reason': undefined },
      );
      expect(result.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    });

    it('the screener is denied the mutation, and the auditor (no purposes) the whole operation', async () => {
      const screener = await stack.query('employment-screener', ISSUE, { input: issueInput() });
      expect(screener.body.errors![0]).toMatchObject({ path: ['issueProtectiveOrder'], extensions: { code: 'FORBIDDEN' } });
      expect(screener.body.data).toEqual({ issueProtectiveOrder: null });
      const auditor = await stack.query('auditor', ISSUE, { input: issueInput() }, { 'x-purpose-code': 'D', 'x-reason': 'X' });
      expect(auditor.status).toBe(403);
      expect(auditor.body.data).toBeUndefined();
    });

    it('mutations are never accepted over GET', async () => {
      const q = encodeURIComponent('mutation { terminateProtectiveOrder(id: "PO-000001", expectedVersion: 1, reason: "X") { id } }');
      const res = await fetch(`${stack.gatewayUrl}?query=${q}`, {
        headers: { authorization: `Bearer ${await stack.token('court-clerk')}`, 'x-purpose-code': 'D', 'x-reason': 'FL-1', 'apollo-require-preflight': '1' },
      });
      expect(res.status).toBe(405);
      expect((await stack.query('officer', '{ protectiveOrder(id: "PO-000001") { status } }')).body.data!.protectiveOrder.status).toBe('ACTIVE');
    });
  });
});
