import { dropTestDatabases } from '../support/postgres';
import { postGraphQL, startStack, STORE_KINDS, type Stack } from '../support/stack';
import { OFFICER_PROFILE } from '../support/queries';

/**
 * The whole product through real processes: three subgraphs over their own SQLite stores,
 * composed, behind the gateway, with the fixture persons of docs/design.md §6.
 */
describe.each(STORE_KINDS)('the federated graph, end to end, on %s', (store) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ persons: 300, store });
  });
  afterAll(async () => {
    await stack?.stop();
    await dropTestDatabases();
  });

  it("serves the officer's profile of A10000001 joined from criminal history, orders and alerts", async () => {
    const { status, body } = await stack.query('officer', OFFICER_PROFILE, { id: 'A10000001' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const person = body.data!.person;
    expect(person.name).toEqual({ last: 'DOE', first: 'JOHN', middle: 'MICHAEL' });
    expect(person.dateOfBirth).toBe('1985-03-14');
    expect(person.aliases).toEqual([{ last: 'DOE', first: 'JOHNNY' }]);
    // Four unsealed arrests for an officer without criminal_history:sealed: (a)–(d).
    const statutes = person.criminalHistory.arrests.flatMap((a: any) => a.charges.map((c: any) => c.statute)).sort();
    expect(statutes).toEqual(['PC 11350', 'PC 273.5', 'PC 459', 'VC 23152(a)']);
    const pending = person.criminalHistory.arrests.find((a: any) => a.charges[0].statute === 'PC 11350');
    expect(pending.charges[0].disposition.type).toBe('PENDING');
    expect(person.criminalHistory.convictions.map((c: any) => c.statute)).toEqual(['PC 459', 'VC 23152(a)']);
    // From orders: PO-000001, active, served in person, firearms prohibited, 100 yards.
    expect(person.protectiveOrders).toHaveLength(1);
    const order = person.protectiveOrders[0];
    expect(order).toMatchObject({
      id: 'PO-000001',
      type: 'DVRO',
      status: 'ACTIVE',
      terms: { noContact: true, stayAwayYards: 100, firearmsProhibited: true },
      service: { served: true, method: 'PERSONAL' },
      protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, relationship: 'SPOUSE' }],
    });
    expect(person.protectedBy).toEqual([]);
    // From alerts: none on A10000001.
    expect(person.alerts).toEqual([]);
  });

  it("joins an order's restrained person back into criminal history (A10000002 is protected by PO-000001)", async () => {
    const { body } = await stack.query('officer', '{ person(id: "A10000002") { protectedBy { id status restrainedPerson { id name { last first } } } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.person.protectedBy).toEqual([
      { id: 'PO-000001', status: 'ACTIVE', restrainedPerson: { id: 'A10000001', name: { last: 'DOE', first: 'JOHN' } } },
    ]);
  });

  it("shows A10000003's wanted-person alert with ARMED_AND_DANGEROUS and the officer-safety alert", async () => {
    const { body } = await stack.query('officer', OFFICER_PROFILE, { id: 'A10000003' });
    expect(body.errors).toBeUndefined();
    const alerts = body.data!.person.alerts;
    expect(alerts.map((a: any) => a.type).sort()).toEqual(['OFFICER_SAFETY', 'WANTED_PERSON']);
    const wanted = alerts.find((a: any) => a.type === 'WANTED_PERSON');
    expect(wanted.caution.codes).toContain('ARMED_AND_DANGEROUS');
    expect(wanted.caution.note).toEqual(expect.any(String));
    expect(wanted.warrant).toMatchObject({ offense: expect.stringContaining('PC 245(a)(1)'), extradition: 'FULL' });
    expect(body.data!.person.criminalHistory.convictions).toHaveLength(1);
  });

  it("shows A10000004's missing-person alert as JUVENILE and ENDANGERED", async () => {
    const { body } = await stack.query('officer', OFFICER_PROFILE, { id: 'A10000004' });
    expect(body.errors).toBeUndefined();
    expect(body.data!.person.alerts).toEqual([
      expect.objectContaining({ type: 'MISSING_PERSON', active: true, missing: { category: 'JUVENILE', categories: ['JUVENILE', 'ENDANGERED'] } }),
    ]);
  });

  it('answers A10000006, who has no records anywhere, with empty lists and no errors', async () => {
    const { status, body } = await stack.query('officer', OFFICER_PROFILE, { id: 'A10000006' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.person).toMatchObject({
      name: { last: 'LEE', first: 'SARAH' },
      criminalHistory: { arrests: [], convictions: [] },
      protectiveOrders: [],
      protectedBy: [],
      alerts: [],
    });
  });

  it("computes A10000005's orders' status when read: PO-000002 EXPIRED, PO-000003 TERMINATED", async () => {
    const { body } = await stack.query('officer', '{ person(id: "A10000005") { protectiveOrders { id type status } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.person.protectiveOrders).toEqual(
      expect.arrayContaining([
        { id: 'PO-000002', type: 'DVRO_TRO', status: 'EXPIRED' },
        { id: 'PO-000003', type: 'CHRO', status: 'TERMINATED' },
      ]),
    );
  });

  it('ranks A10000001 first for DOE / JOHN / 1985-03-14 and finds the look-alike A10000007', async () => {
    const { body } = await stack.query('officer', '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score person { id } } }');
    expect(body.errors).toBeUndefined();
    const ids = body.data!.searchPersons.map((m: any) => m.person.id);
    expect(ids[0]).toBe('A10000001');
    expect(ids).toContain('A10000007');
    expect(body.data!.searchPersons[0].score).toBe(1);
  });

  it('finds a name by sound: "DOUGH" matches DOE', async () => {
    const { body } = await stack.query('officer', '{ searchPersons(lastName: "DOUGH", firstName: "JOHN") { score person { id } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.searchPersons.map((m: any) => m.person.id)).toContain('A10000001');
  });

  it('has subgraphs report what they disclosed, and the gateway strip it before the caller sees the answer', async () => {
    const direct = await postGraphQL(
      stack.subgraphUrls['criminal-history'],
      { query: '{ person(id: "A10000001") { criminalHistory { convictions { statute } } } }' },
      { 'x-custodian-internal-token': await stack.internalToken('officer', 'criminal-history') },
    );
    expect(direct.body.extensions).toEqual({
      custodian: expect.objectContaining({ subjects: ['Person:A10000001'], fields: expect.arrayContaining(['Person.criminalHistory', 'Conviction.statute']) }),
    });
    const viaGateway = await stack.query('officer', '{ person(id: "A10000001") { criminalHistory { convictions { statute } } } }');
    expect(viaGateway.body.errors).toBeUndefined();
    expect(viaGateway.text).not.toContain('custodian');
    expect(viaGateway.body.extensions).toBeUndefined();
  });

  it('reports ready only while every subgraph answers, and live regardless', async () => {
    const ready = await fetch(`${stack.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { 'criminal-history': 'up', orders: 'up', alerts: 'up' } });
    await stack.kill('alerts');
    const notReady = await fetch(`${stack.baseUrl}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'unavailable', checks: { alerts: 'down', orders: 'up' } });
    const live = await fetch(`${stack.baseUrl}/health/live`);
    expect(live.status).toBe(200);
  });
});
