import { findPersona } from '../../access-policy/src';
import { startStack, type GraphQLResult, type Stack } from '../support/stack';

/**
 * docs/design.md §4 rule 13: the gateway removes, before it plans, every field the caller's scopes and
 * purpose can never read (as the subgraphs' SDLs declare it with @access), answers each with null
 * and a FORBIDDEN error at its path, and calls no subgraph for them.
 */
type Subgraph = 'criminal-history' | 'orders' | 'alerts';

describe('the gateway removes the fields a caller can never read before planning (rule 13)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // info: each subgraph logs one line per request it serves, which counts the calls.
    stack = await startStack({ persons: 200, env: { LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** How many requests of this operation a subgraph served (each logs one `<name> served` line with the request id). */
  async function callsTo(subgraph: Subgraph, result: GraphQLResult, surelyCalled: Subgraph): Promise<number> {
    const requestId = result.headers.get('x-request-id')!;
    expect(requestId).toBeTruthy();
    // Lines are buffered up to 100 ms: wait for the call the gateway surely made, then count.
    expect(await stack.waitForLog(surelyCalled, requestId)).toBeDefined();
    await new Promise((r) => setTimeout(r, 250));
    return stack
      .logs(subgraph)
      .split('\n')
      .filter((line) => line.includes(requestId) && line.includes(`${subgraph} served`)).length;
  }

  it("never asks criminal-history for a dispatcher's criminal history through an order: null, FORBIDDEN at its path", async () => {
    const result = await stack.query('dispatcher', '{ protectiveOrder(id: "PO-000001") { id restrainedPerson { id criminalHistory { arrests { id } } } } }');
    expect(result.body.data).toEqual({ protectiveOrder: { id: 'PO-000001', restrainedPerson: { id: 'A10000001', criminalHistory: null } } });
    expect(result.body.errors).toEqual([
      {
        message: 'Not authorised to read Person.criminalHistory',
        path: ['protectiveOrder', 'restrainedPerson', 'criminalHistory'],
        extensions: { code: 'FORBIDDEN', serviceName: 'criminal-history' },
      },
    ]);
    expect(await callsTo('orders', result, 'orders')).toBe(1);
    expect(await callsTo('criminal-history', result, 'orders')).toBe(0);
  });

  it("calls neither orders nor alerts for a screener's search that also asks for orders and alerts, and denies them per person found", async () => {
    const result = await stack.query(
      'employment-screener',
      '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score person { id protectiveOrders { id } alerts { id } criminalHistory { convictions { statute } } } } }',
    );
    expect(result.body.data!.searchPersons).toEqual([
      { score: 1, person: { id: 'A10000001', protectiveOrders: null, alerts: null, criminalHistory: { convictions: [{ statute: 'PC 459' }] } } },
    ]);
    expect(result.body.errors!.map((e) => [e.path!.join('.'), e.extensions!.code])).toEqual([
      ['searchPersons.0.person.protectiveOrders', 'FORBIDDEN'],
      ['searchPersons.0.person.alerts', 'FORBIDDEN'],
    ]);
    expect(await callsTo('orders', result, 'criminal-history')).toBe(0);
    expect(await callsTo('alerts', result, 'criminal-history')).toBe(0);
  });

  it("leaves a caller's own field under the placeholder's name alone", async () => {
    const result = await stack.query('dispatcher', '{ person(id: "A10000003") { _custodianPrunedTypename: id criminalHistory { arrests { id } } } }');
    expect(result.body.data).toEqual({ person: { _custodianPrunedTypename: 'A10000003', criminalHistory: null } });
    expect(result.body.errors?.map((e) => e.path!.join('.'))).toEqual(['person.criminalHistory']);
  });

  it('answers a denied field inside a list once per element, and keeps an emptied selection valid without showing what kept it', async () => {
    const mixed = await stack.query('officer', '{ person(id: "A10000001") { criminalHistory { arrests { date sealed } } } }');
    const arrests = mixed.body.data!.person.criminalHistory.arrests as Array<{ date: string; sealed: null }>;
    expect(arrests).toHaveLength(4);
    expect(arrests.every((a) => typeof a.date === 'string' && a.sealed === null)).toBe(true);
    expect(mixed.body.errors!.map((e) => e.path!.join('.'))).toEqual([0, 1, 2, 3].map((i) => `person.criminalHistory.arrests.${i}.sealed`));

    const emptied = await stack.query('officer', '{ person(id: "A10000001") { criminalHistory { arrests { sealed juvenile } } } }');
    expect(emptied.body.data!.person.criminalHistory.arrests).toEqual(Array.from({ length: 4 }, () => ({ sealed: null, juvenile: null })));
    expect(emptied.body.errors).toHaveLength(8);
  });

  it('answers a non-null root field removed as the subgraph would: null up to the data, the error at the field', async () => {
    const result = await stack.query('employment-screener', '{ alerts { id } }');
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      data: null,
      errors: [{ message: 'Not authorised to read Query.alerts', path: ['alerts'], extensions: { code: 'FORBIDDEN', serviceName: 'alerts' } }],
    });
  });

  it('follows fragments, aliases and @include: a skipped field is neither fetched nor denied', async () => {
    const query = `query Profile($history: Boolean!) { who: person(id: "A10000001") { ...names history: criminalHistory @include(if: $history) { convictions { statute } } } }
      fragment names on Person { name { last } alerts { type } }`;
    const skipped = await stack.query('court-clerk', query, { history: false });
    expect(skipped.body).toEqual({ data: { who: { name: { last: 'DOE' }, alerts: null } }, errors: [expect.objectContaining({ path: ['who', 'alerts'] })] });
    const included = await stack.query('dispatcher', query, { history: true });
    expect(included.body.data).toEqual({ who: { name: { last: 'DOE' }, alerts: [], history: null } });
    expect(included.body.errors!.map((e) => e.path!.join('.'))).toEqual(['who.history']);
  });

  it("leaves introspection whole, its own types' fields included (the sandbox explorer reads the schema with it)", async () => {
    const result = await stack.query('dispatcher', '{ __schema { queryType { name } types { ...t } } } fragment t on __Type { name fields { name } }');
    expect(result.body.errors).toBeUndefined();
    const person = result.body.data!.__schema.types.find((t: { name: string }) => t.name === 'Person');
    expect(person.fields.map((f: { name: string }) => f.name)).toContain('criminalHistory');
  });

  it('never lets callers with different rights share a query plan: the same text, dispatcher then officer then dispatcher', async () => {
    const q = '{ person(id: "A10000001") { id criminalHistory { convictions { statute } } } }';
    const first = await stack.query('dispatcher', q);
    const officer = await stack.query('officer', q);
    const again = await stack.query('dispatcher', q);
    expect(first.body.data!.person.criminalHistory).toBeNull();
    expect(officer.body.errors).toBeUndefined();
    expect(officer.body.data!.person.criminalHistory.convictions.map((c: { statute: string }) => c.statute)).toEqual(['PC 459', 'VC 23152(a)']);
    expect(again.body).toEqual(first.body);
  });

  it('records every removed path in the audit as denied, the operation PARTIAL', async () => {
    const result = await stack.query('dispatcher', '{ protectiveOrder(id: "PO-000001") { restrainedPerson { criminalHistory { arrests { id } } } } }');
    const requestId = result.headers.get('x-request-id');
    const dispatcher = findPersona('dispatcher')!;
    let record: { deniedPaths: string[]; outcome: string } | undefined;
    for (let i = 0; i < 20 && !record; i++) {
      const audit = await stack.query('auditor', `{ auditEvents(user: "${dispatcher.sub}", limit: 20) { requestId deniedPaths outcome } }`);
      record = (audit.body.data?.auditEvents as Array<{ requestId: string; deniedPaths: string[]; outcome: string }> | undefined)?.find(
        (e) => e.requestId === requestId,
      );
      if (!record) await new Promise((r) => setTimeout(r, 100));
    }
    expect(record).toEqual({ requestId, deniedPaths: ['protectiveOrder.restrainedPerson.criminalHistory'], outcome: 'PARTIAL' });
  });
});
