import type { AuditRecord } from '../../access-policy/src';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { sha256 } from '../../gateway/src/audit/hash-chain';
import { postGraphQL, startStack, STORE_KINDS, type GraphQLResult, type Stack, type StoreKind } from '../support/stack';

/**
 * docs/design.md §5, "the audit holds against a hostile caller" (issue 17): whatever a caller sends is
 * recorded so that the record verifies and reads as evidence; a record one store refuses costs no
 * other request anything; existence is disclosure. On each store engine.
 */
describe.each(STORE_KINDS)('the audit against a hostile caller, on %s', (store: StoreKind) => {
  let stack: Stack;
  let audit: SqlAuditStore;
  let officer: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack({ persons: 100, store });
    audit = await SqlAuditStore.open(store === 'postgres' ? { kind: 'postgres', url: stack.env.DATABASE_URL } : { kind: 'sqlite', dataDir: stack.dataDir }, 2);
    officer = { authorization: `Bearer ${await stack.token('officer')}`, 'x-purpose-code': 'C', 'x-reason': 'INC-17' };
  });
  afterAll(async () => {
    await audit?.close();
    await stack?.stop();
  });

  /** The records of one response, by its x-request-id (a refusal's record may follow it by a moment). */
  async function recordsOf(result: GraphQLResult | Response): Promise<AuditRecord[]> {
    const requestId = result.headers.get('x-request-id');
    for (let i = 0; i < 200; i++) {
      const found = (await audit.query({ limit: 2000 })).filter((r) => r.requestId === requestId);
      if (found.length > 0) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    return [];
  }

  async function expectChainsIntact(): Promise<void> {
    await audit.flushSubjectIndex();
    const result = await verifyAllChains(audit);
    expect(result.chains.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
  }

  it('a lone UTF-16 surrogate in a comment is recorded as evidence of what was sent, and the chain still verifies', async () => {
    // JSON text whose `\ud800` escape decodes to a lone surrogate (no UTF-8 can carry one).
    const body = '{"query":"query S { person(id: \\"A10000006\\") { id } } # \\ud800"}';
    const result = await postGraphQL(stack.gatewayUrl, body, officer);
    expect(result.body.data ?? null).toBeNull();
    const [record] = await recordsOf(result);
    expect(record.outcome).toBe('INVALID');
    expect(record.document).toBe('query S { person(id: "A10000006") { id } } # \\u{D800}');
    await expectChainsIntact();
  });

  it('NUL bytes anywhere a caller reaches never cost a legitimate request in the same commit its answer or its record', async () => {
    const hostile = () => [
      fetch(`${stack.gatewayUrl}?query=%00`, { headers: { authorization: 'Bearer x' } }),
      fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename } # \u0000')}`, { headers: { ...officer, 'apollo-require-preflight': '1' } }),
      postGraphQL(
        stack.gatewayUrl,
        { query: 'query N($n: String!) { searchPersons(lastName: $n) { score } } # \u0000', variables: { n: 'SM\u0000ITH' } },
        officer,
      ),
      postGraphQL(stack.gatewayUrl, { query: '{ person(id: "A10000001") { id } }', operationName: 'x\u0000' }, { ...officer, 'x-reason': 'INC\u00ff' }),
    ];
    const legitimate = () => Array.from({ length: 6 }, () => stack.query('officer', '{ person(id: "A10000003") { id name { last } } }'));
    const bursts = await Promise.all([0, 1, 2].map(() => Promise.all([Promise.all(hostile()), Promise.all(legitimate())])));
    for (const [attacks, answers] of bursts) {
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body.data?.person?.name?.last).toBe('SMITH');
        expect((await recordsOf(answer)).map((r) => r.outcome)).toEqual(['ALLOWED']);
      }
      for (const attack of attacks) expect(await recordsOf(attack)).toHaveLength(1);
    }
    const [nulDocument] = await recordsOf(bursts[0][0][0]);
    expect(nulDocument.document).toBe('\\u{0}');
    await expectChainsIntact();
  });

  describe('existence is disclosure: every entity an answer confirms is a subject of its record', () => {
    const subjectsOf = async (result: GraphQLResult) => {
      expect(result.body.errors).toBeUndefined();
      const [record] = await recordsOf(result);
      return record.subjects;
    };

    it('a person asked for by id with only __typename selected', async () => {
      const result = await stack.query('officer', '{ a: person(id: "A10000006") { __typename } }');
      expect(result.body.data).toEqual({ a: { __typename: 'Person' } });
      expect(await subjectsOf(result)).toEqual(['Person:A10000006']);
      await audit.flushSubjectIndex();
      const found = await audit.query({ subject: 'Person:A10000006', limit: 100 });
      expect(found.map((r) => r.requestId)).toContain(result.headers.get('x-request-id'));
    });

    it('search hits with only score, or only __typename, selected', async () => {
      for (const selection of ['score', '__typename', 'person { __typename }']) {
        const result = await stack.query(
          'officer',
          `{ searchPersons(lastName: "LEE", firstName: "SARAH", dateOfBirth: "1992-12-12", limit: 5) { ${selection} } }`,
        );
        expect(result.body.data?.searchPersons.length).toBeGreaterThan(0);
        expect(await subjectsOf(result)).toContain('Person:A10000006');
      }
    });

    it('an order and alerts with only __typename selected', async () => {
      const order = await stack.query('officer', '{ protectiveOrder(id: "PO-000001") { __typename } }');
      expect(await subjectsOf(order)).toEqual(['ProtectiveOrder:PO-000001']);
      const alerts = await stack.query('officer', '{ alerts(type: WANTED_PERSON) { __typename } }');
      const alertIds = (await stack.query('officer', '{ alerts(type: WANTED_PERSON) { id } }')).body.data?.alerts.map((a: { id: string }) => `Alert:${a.id}`);
      expect(alertIds.length).toBeGreaterThan(0);
      expect(await subjectsOf(alerts)).toEqual(expect.arrayContaining(alertIds));
    });
  });

  describe('automatic persisted queries are off: a hash names only a registered operation (trusted documents)', () => {
    const hash = sha256('{ person(id: "A10000001") { id } }');

    it('a request naming an unregistered document by hash alone is refused, with no data, and recorded with what was sent', async () => {
      const result = await postGraphQL(
        stack.gatewayUrl,
        { variables: { id: 'A10000001' }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
        officer,
      );
      expect(result.body.data ?? null).toBeNull();
      expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const [record] = await recordsOf(result);
      expect(record).toMatchObject({ outcome: 'INVALID', documentHash: hash, documentId: hash, variables: { id: 'A10000001' }, subjects: [] });
    });

    it('a document sent with its hash is not registered: the hash alone still runs nothing', async () => {
      const register = await postGraphQL(
        stack.gatewayUrl,
        { query: '{ person(id: "A10000001") { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
        officer,
      );
      expect(register.body.data ?? null).toBeNull();
      const byHash = await postGraphQL(stack.gatewayUrl, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, officer);
      expect(byHash.body.data ?? null).toBeNull();
      expect(byHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    });
  });
});
