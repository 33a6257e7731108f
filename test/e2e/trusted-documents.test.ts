import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../access-policy/src';
import { sha256 } from '../../gateway/src/audit/hash-chain';
import { EMPLOYMENT_SCREENING } from '../../gateway/src/explorer/example-operations';
import { projectRoot } from '../../platform/src';
import { postGraphQL, startStack, type GraphQLResult, type Stack } from '../support/stack';

const SCREENING_ID = sha256(EMPLOYMENT_SCREENING);
const DOE = { last: 'DOE', first: 'JOHN', dob: '1985-03-14' };
const FREE_FORM = '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { person { id } } }';

/** A folder holding the repository's manifests, which a test may then change. */
function manifestFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-trusted-'));
  copyFileSync(join(projectRoot(), 'trusted-documents/acme-background-checks.json'), join(dir, 'acme-background-checks.json'));
  return dir;
}

function manifest(operations: { id: string; name: string; type: string; body: string }[]): string {
  return JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations });
}

/**
 * docs/design.md §2 "trusted documents", issue 22: background-check clients run only the operations they
 * registered; every registered operation's id is in its audit record; refusals call no subgraph.
 */
describe('trusted documents', () => {
  describe('enforce-match-only (the production default)', () => {
    let stack: Stack;
    let dir: string;
    const screener = async () => ({ authorization: `Bearer ${await stack.token('employment-screener')}`, 'x-purpose-code': 'I' });

    beforeAll(async () => {
      dir = manifestFolder();
      stack = await startStack({ mode: 'in-process', persons: 50, env: { TRUSTED_DOCUMENTS_DIR: dir, TRUSTED_DOCUMENTS_MODE: 'enforce-match-only' } });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    async function recordOf(result: GraphQLResult): Promise<AuditRecord> {
      const id = result.headers.get('x-request-id');
      const { body } = await stack.query('auditor', '{ auditEvents(limit: 200) { requestId outcome errorCodes operationName } }');
      const event = body.data!.auditEvents.find((e: { requestId: string }) => e.requestId === id);
      expect(event).toBeDefined();
      return event;
    }
    const statements = () => Object.values(stack.stores).reduce((n, s) => n + s.stats.statements, 0);

    it('the registered screening runs by id, as Apollo Client sends it', async () => {
      const result = await postGraphQL(
        stack.gatewayUrl,
        { variables: DOE, extensions: { persistedQuery: { version: 1, sha256Hash: SCREENING_ID } } },
        await screener(),
      );
      expect(result.status).toBe(200);
      expect(result.body.data?.searchPersons.map((m: { person: { id: string } }) => m.person.id)).toContain('A10000001');
      expect(await recordOf(result)).toMatchObject({ outcome: 'ALLOWED', operationName: 'EmploymentScreening' });
    });

    it('the registered screening runs by documentId, over POST and GET', async () => {
      const post = await postGraphQL(stack.gatewayUrl, { documentId: SCREENING_ID, variables: DOE }, await screener());
      expect(post.body.data?.searchPersons.length).toBeGreaterThan(0);
      const get = await fetch(`${stack.gatewayUrl}?documentId=${SCREENING_ID}&variables=${encodeURIComponent(JSON.stringify(DOE))}`, {
        headers: { ...(await screener()), 'apollo-require-preflight': '1' },
      });
      expect(((await get.json()) as { data: { searchPersons: unknown[] } }).data.searchPersons.length).toBeGreaterThan(0);
    });

    it('the registered screening runs as its exact registered text', async () => {
      const result = await postGraphQL(stack.gatewayUrl, { query: EMPLOYMENT_SCREENING, variables: DOE }, await screener());
      expect(result.body.data?.searchPersons.length).toBeGreaterThan(0);
    });

    it('a free-form operation from a background-check client is refused (OPERATION_NOT_TRUSTED), calls no subgraph, and is audited with what was sent', async () => {
      const before = statements();
      const result = await postGraphQL(stack.gatewayUrl, { query: FREE_FORM }, await screener());
      expect(result.status).toBe(403);
      expect(result.body.data ?? null).toBeNull();
      expect(result.body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_TRUSTED');
      expect(statements()).toBe(before);
      expect(await recordOf(result)).toMatchObject({ outcome: 'DENIED', errorCodes: ['OPERATION_NOT_TRUSTED'] });
    });

    it('a free-form GET is refused however its query string is written (a second "?" once hid the query from the check, not from Apollo)', async () => {
      const headers = { ...(await screener()), 'apollo-require-preflight': '1' };
      for (const search of [
        `?query=${encodeURIComponent(FREE_FORM)}`,
        `?a=b?&query=${encodeURIComponent(FREE_FORM)}`,
        `?&&query=${encodeURIComponent(FREE_FORM)}`,
      ]) {
        const before = statements();
        const result = await fetch(`${stack.gatewayUrl}${search}`, { headers });
        const body = (await result.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
        expect({ search, status: result.status, code: body.errors?.[0]?.extensions?.code }).toEqual({ search, status: 403, code: 'OPERATION_NOT_TRUSTED' });
        expect(body.data ?? null).toBeNull();
        expect(statements()).toBe(before);
      }
      // A parameter given twice is ambiguous: refused, whichever copy a reader would take.
      const twice = await fetch(
        `${stack.gatewayUrl}?documentId=${SCREENING_ID}&query=${encodeURIComponent(FREE_FORM)}&query=${encodeURIComponent(FREE_FORM)}`,
        { headers },
      );
      expect(twice.status).toBe(400);
    });

    it('an unknown id is refused (PERSISTED_QUERY_NOT_FOUND) and calls no subgraph', async () => {
      const before = statements();
      const result = await postGraphQL(stack.gatewayUrl, { documentId: sha256('{ __typename }'), variables: DOE }, await screener());
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(result.body.data ?? null).toBeNull();
      expect(statements()).toBe(before);
      expect(await recordOf(result)).toMatchObject({ outcome: 'INVALID', errorCodes: ['PERSISTED_QUERY_NOT_FOUND'] });
    });

    it('an id sent with other text than its registered one is refused', async () => {
      const result = await postGraphQL(
        stack.gatewayUrl,
        { query: FREE_FORM, extensions: { persistedQuery: { version: 1, sha256Hash: SCREENING_ID } } },
        await screener(),
      );
      expect(result.body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_TRUSTED');
      expect(result.body.data ?? null).toBeNull();
    });

    it("another client's registered operation is not this client's", async () => {
      writeFileSync(
        join(dir, 'patrol-mdt.json'),
        manifest([{ id: 'officer-lookup-1', name: 'Lookup', type: 'query', body: '{ person(id: "A10000003") { id } }' }]),
      );
      const officer = { authorization: `Bearer ${await stack.token('officer')}`, 'x-purpose-code': 'C', 'x-reason': 'INC-TD' };
      await waitFor(async () => (await postGraphQL(stack.gatewayUrl, { documentId: 'officer-lookup-1' }, officer)).body.data?.person?.id === 'A10000003');
      const result = await postGraphQL(stack.gatewayUrl, { documentId: 'officer-lookup-1' }, await screener());
      expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    });

    it('callers with wider scopes may still send free-form operations; they run, unflagged by refusal', async () => {
      const result = await stack.query('officer', '{ person(id: "A10000003") { name { last } } }');
      expect(result.body.data?.person?.name?.last).toBe('SMITH');
    });

    it('manifests reload without a restart; a bad one is refused and the previous kept', async () => {
      const officer = { authorization: `Bearer ${await stack.token('officer')}`, 'x-purpose-code': 'C', 'x-reason': 'INC-TD' };
      writeFileSync(
        join(dir, 'patrol-mdt.json'),
        manifest([{ id: 'officer-lookup-2', name: 'Lookup', type: 'query', body: '{ person(id: "A10000003") { id } }' }]),
      );
      const byId = () => postGraphQL(stack.gatewayUrl, { documentId: 'officer-lookup-2' }, officer);
      await waitFor(async () => (await byId()).body.data?.person?.id === 'A10000003');
      writeFileSync(join(dir, 'patrol-mdt.json'), '{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id": "x" }] }');
      await new Promise((r) => setTimeout(r, 500));
      expect((await byId()).body.data?.person?.id).toBe('A10000003');
    });
  });

  describe('log (the sandbox default)', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ mode: 'in-process', persons: 50, env: { TRUSTED_DOCUMENTS_DIR: manifestFolder(), TRUSTED_DOCUMENTS_MODE: 'log' } });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it("a background-check client's free-form operation runs, flagged in its record as outside its registered documents", async () => {
      const free = await stack.query('employment-screener', FREE_FORM);
      expect(free.body.data?.searchPersons).toBeDefined();
      const registered = await stack.query('employment-screener', EMPLOYMENT_SCREENING, DOE);
      const { body } = await stack.query('auditor', '{ auditEvents(limit: 50) { requestId documentId documentTrust } }');
      const eventOf = (r: GraphQLResult) => body.data!.auditEvents.find((e: { requestId: string }) => e.requestId === r.headers.get('x-request-id'));
      expect(eventOf(free)).toEqual(expect.objectContaining({ documentId: null, documentTrust: 'UNREGISTERED' }));
      expect(eventOf(registered)).toEqual(expect.objectContaining({ documentId: SCREENING_ID, documentTrust: 'REGISTERED' }));
    });
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
