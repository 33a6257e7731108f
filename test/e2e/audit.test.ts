import type { AuditRecord } from '../../access-policy/src';
import type { AuditStore } from '../../gateway/src/audit/audit-store';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { SwitchableAuditStore } from '../support/audit-stores';
import { postGraphQL, startStack, type GraphQLResult, type Stack } from '../support/stack';
import { OFFICER_PROFILE } from '../support/queries';

/** docs/design.md §5: one hash-chained record per operation, written before the response, fail closed. */
describe('the audit of every operation', () => {
  let stack: Stack;
  let switchable: SwitchableAuditStore;
  let audit: AuditStore;
  beforeAll(async () => {
    stack = await startStack({
      mode: 'in-process',
      persons: 100,
      gatewayOptions: async (dataDir) => {
        switchable = new SwitchableAuditStore(await SqlAuditStore.open({ kind: 'sqlite', dataDir }));
        return { auditStore: switchable };
      },
    });
    audit = switchable;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** The records written for one response (found by its x-request-id). */
  async function recordsOf(result: GraphQLResult | Response): Promise<AuditRecord[]> {
    const requestId = result.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    // The fallback record for requests rejected before Apollo is written as the response finishes.
    for (let i = 0; i < 20; i++) {
      const found = (await audit.query({ limit: 1000 })).filter((r) => r.requestId === requestId);
      if (found.length > 0) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    return [];
  }

  describe('exactly one record per operation, whatever its outcome', () => {
    it('ALLOWED: the officer profile, with who, why, what and the chain link', async () => {
      const result = await stack.query('officer', OFFICER_PROFILE, { id: 'A10000001' }, { 'user-agent': 'patrol-mdt/7.2' });
      expect(result.body.errors).toBeUndefined();
      const [record, ...others] = await recordsOf(result);
      expect(others).toEqual([]);
      expect(record).toMatchObject({
        outcome: 'ALLOWED',
        userSub: 'u-officer-1001',
        userName: 'Officer Dana Reyes',
        ori: 'CA0194200',
        client: 'patrol-mdt',
        purpose: 'C',
        reason: 'INC-2026-000123',
        operationType: 'query',
        operationName: 'OfficerProfile',
        document: OFFICER_PROFILE,
        variables: { id: 'A10000001' },
        deniedPaths: [],
        errorCodes: [],
        userAgent: 'patrol-mdt/7.2',
        sourceAddress: expect.stringContaining('127.0.0.1'),
      });
      expect(record.scopes).toEqual(expect.arrayContaining(['person:read', 'criminal_history:read']));
      expect(record.documentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(record.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The protected party's name was shown too: A10000002 is disclosed as well.
      expect(record.subjects).toEqual(['Person:A10000001', 'Person:A10000002', 'ProtectiveOrder:PO-000001']);
      expect(record.fieldsResolved).toEqual(
        expect.arrayContaining(['Person.criminalHistory', 'Charge.statute', 'ProtectiveOrder.terms', 'OrderTerms.firearmsProhibited', 'Person.alerts']),
      );
      expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(record.prevHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('PARTIAL: the dispatcher, with the denied path', async () => {
      const result = await stack.query('dispatcher', '{ person(id: "A10000001") { name { last } criminalHistory { convictions { statute } } } }');
      const [record, ...others] = await recordsOf(result);
      expect(others).toEqual([]);
      expect(record).toMatchObject({ outcome: 'PARTIAL', deniedPaths: ['person.criminalHistory'], errorCodes: ['FORBIDDEN'], subjects: ['Person:A10000001'] });
    });

    it('DENIED: a lookup without a purpose, with the purpose it declared', async () => {
      const result = await stack.query('officer', '{ person(id: "A10000002") { name { last } } }', undefined, { 'x-purpose-code': 'C', 'x-reason': undefined });
      expect(result.status).toBe(403);
      const [record, ...others] = await recordsOf(result);
      expect(others).toEqual([]);
      expect(record).toMatchObject({ outcome: 'DENIED', purpose: 'C', reason: null, subjects: [], errorCodes: ['FORBIDDEN'] });
    });

    it('UNAUTHENTICATED: no token, and a forged one', async () => {
      const none = await postGraphQL(stack.gatewayUrl, { query: '{ person(id: "A10000001") { id } }' });
      expect(none.status).toBe(401);
      expect(await recordsOf(none)).toEqual([expect.objectContaining({ outcome: 'UNAUTHENTICATED', userSub: null })]);
      const forged = await postGraphQL(stack.gatewayUrl, { query: '{ __typename }' }, { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' });
      expect(await recordsOf(forged)).toEqual([expect.objectContaining({ outcome: 'UNAUTHENTICATED' })]);
    });

    it('INVALID: a document that does not parse, one that does not validate, and a body that is not JSON', async () => {
      const parse = await stack.query('officer', '{ person(id: "A1" { id }');
      expect(await recordsOf(parse)).toEqual([
        expect.objectContaining({ outcome: 'INVALID', errorCodes: ['GRAPHQL_PARSE_FAILED'], userSub: 'u-officer-1001' }),
      ]);
      const validate = await stack.query('officer', '{ person(id: "A10000001") { shoeSize } }');
      expect(await recordsOf(validate)).toEqual([expect.objectContaining({ outcome: 'INVALID', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] })]);
      const json = await postGraphQL(stack.gatewayUrl, '{"query": ', { authorization: `Bearer ${await stack.token('officer')}` });
      expect(json.status).toBe(400);
      expect(await recordsOf(json)).toEqual([expect.objectContaining({ outcome: 'INVALID', userSub: 'u-officer-1001' })]);
    });

    it('includes introspection and the auditors’ own queries', async () => {
      const introspection = await stack.query('officer', '{ __schema { queryType { name } } }', undefined, {
        'x-purpose-code': undefined,
        'x-reason': undefined,
      });
      expect(await recordsOf(introspection)).toEqual([expect.objectContaining({ outcome: 'ALLOWED', userSub: 'u-officer-1001', subjects: [] })]);
      const own = await stack.query('auditor', '{ auditEvents(limit: 1) { id } }');
      expect(await recordsOf(own)).toEqual([
        expect.objectContaining({ outcome: 'ALLOWED', userSub: 'u-auditor-5001', fieldsResolved: ['AuditEvent.id', 'Query.auditEvents'], subjects: [] }),
      ]);
    });
  });

  describe('subjects disclosed', () => {
    it('names the person whose history was read even when the query did not select an id', async () => {
      const result = await stack.query('officer', '{ person(id: "A10000001") { criminalHistory { convictions { statute } } } }');
      expect((await recordsOf(result))[0].subjects).toEqual(['Person:A10000001']);
    });

    it('names every candidate a search returned, and the alert and subject of an alert lookup', async () => {
      const search = await stack.query(
        'officer',
        '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score person { name { last } } } }',
      );
      expect((await recordsOf(search))[0].subjects).toEqual(expect.arrayContaining(['Person:A10000001', 'Person:A10000007']));
      const alert = await stack.query('officer', '{ alert(id: "AL-0000001") { warrant { offense } subject { name { last } } } }');
      expect((await recordsOf(alert))[0].subjects).toEqual(['Alert:AL-0000001', 'Person:A10000003']);
    });

    it('names no one when nothing was disclosed', async () => {
      const result = await stack.query('officer', '{ person(id: "A19999999") { name { last } } }');
      expect((await recordsOf(result))[0]).toMatchObject({ outcome: 'ALLOWED', subjects: [] });
    });
  });

  describe('auditEvents (docs/design.md §2, rule 8)', () => {
    it('finds who looked at a subject, by subject, user, ORI, purpose and outcome, never with record contents', async () => {
      await stack.query('court-clerk', '{ person(id: "A10000005") { name { last } } }');
      const { body } = await stack.query(
        'auditor',
        '{ auditEvents(subject: "Person:A10000005", limit: 10) { user ori purpose reason outcome subjects fieldsResolved operationName } }',
      );
      expect(body.errors).toBeUndefined();
      expect(body.data!.auditEvents).toEqual([
        expect.objectContaining({
          user: 'u-clerk-3001',
          ori: 'CA019015J',
          purpose: 'D',
          reason: 'FL-2026-0042',
          outcome: 'ALLOWED',
          subjects: ['Person:A10000005'],
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain('GARCIA');
      const byUser = await stack.query('auditor', '{ auditEvents(user: "u-dispatch-2001", outcome: PARTIAL) { deniedPaths } }');
      expect(byUser.body.data!.auditEvents).toEqual(expect.arrayContaining([{ deniedPaths: ['person.criminalHistory'] }]));
      const byOriPurpose = await stack.query('auditor', '{ auditEvents(ori: "CA019015J", purpose: "D") { user } }');
      expect(byOriPurpose.body.data!.auditEvents.length).toBeGreaterThan(0);
      const future = await stack.query('auditor', '{ auditEvents(from: "2999-01-01T00:00:00Z") { id } }');
      expect(future.body.data!.auditEvents).toEqual([]);
    });

    it('is denied to everyone without audit:read', async () => {
      const result = await stack.query('officer', '{ auditEvents { id } }', undefined, { 'x-purpose-code': undefined, 'x-reason': undefined });
      expect(result.body.errors![0]).toMatchObject({ path: ['auditEvents'], extensions: { code: 'FORBIDDEN' } });
      expect(result.body.data).toBeNull();
    });
  });

  describe('fail closed (CJIS AU-5)', () => {
    it('releases no data while the audit store refuses writes, and serves again when it returns', async () => {
      switchable.refuseWrites = true;
      try {
        const refused = await stack.query('officer', OFFICER_PROFILE, { id: 'A10000003' });
        expect(refused.status).toBe(503);
        expect(refused.body.data).toBeUndefined();
        expect(refused.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'AUDIT_UNAVAILABLE' } })]);
        expect(refused.text).not.toContain('SMITH');
        const ready = await fetch(`${stack.baseUrl}/health/ready`);
        expect(ready.status).toBe(503);
      } finally {
        switchable.refuseWrites = false;
      }
      const served = await stack.query('officer', OFFICER_PROFILE, { id: 'A10000003' });
      expect(served.status).toBe(200);
      expect(served.body.data!.person.name.last).toBe('SMITH');
      expect(await recordsOf(served)).toHaveLength(1);
      expect((await verifyAllChains(audit)).ok).toBe(true);
    });
  });

  it('keeps every chain verifiable after all of the above', async () => {
    const result = await verifyAllChains(audit);
    expect(result.chains.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ ok: true });
  });
});
