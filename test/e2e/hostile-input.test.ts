import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERNAL_TOKEN_HEADER, SUBGRAPH_NAMES } from '../../access-policy/src';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { postGraphQL, startStack, type GraphQLResult, type Stack } from '../support/stack';
import { callerClaims, fakeIdentityProvider, unsignedToken } from '../support/tokens';

const ISSUER = 'https://idp.agency.example';
const AUDIENCE = 'custodian-api';

/**
 * docs/design.md §7: hostile input against the production build — each answered with the right status
 * and a clear error, none releasing data, each audited.
 */
describe('hostile input, in production mode', () => {
  let stack: Stack;
  let audit: SqlAuditStore;
  let headers: Record<string, string>;
  beforeAll(async () => {
    const idp = await fakeIdentityProvider(ISSUER, AUDIENCE);
    const jwksFile = join(mkdtempSync(join(tmpdir(), 'custodian-jwks-')), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(idp.jwks));
    stack = await startStack({
      persons: 100,
      sandbox: false,
      env: (dataDir) => ({
        NODE_ENV: 'production',
        AUTH_JWKS_FILE: jwksFile,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        INTERNAL_TOKEN_PRIVATE_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).privateFile,
        INTERNAL_TOKEN_PUBLIC_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).publicFile,
        LOG_LEVEL: 'info',
      }),
    });
    headers = {
      authorization: `Bearer ${await idp.sign(callerClaims({ scope: 'person:read criminal_history:read orders:read alerts:read' }))}`,
      'x-purpose-code': 'C',
      'x-reason': 'INC-7',
    };
    audit = await SqlAuditStore.open({ kind: 'sqlite', dataDir: stack.dataDir });
  });
  afterAll(async () => {
    await audit?.close();
    await stack?.stop();
  });

  /** The audit record of a response (the last-resort record may follow the response by a moment). */
  async function auditOf(result: GraphQLResult) {
    const id = result.headers.get('x-request-id');
    for (let i = 0; i < 40; i++) {
      const found = (await audit.query({ limit: 500 })).filter((r) => r.requestId === id);
      if (found.length) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    return [];
  }

  /** Refused: the status, an error with a code and a message, no data, no record content, exactly one audit record. */
  async function expectRefused(result: GraphQLResult, status: number, code: string, message: RegExp, outcome = 'INVALID') {
    expect({ status: result.status, code: result.body.errors?.[0]?.extensions?.code }).toEqual({ status, code });
    expect(result.body.errors![0].message).toMatch(message);
    expect(result.body.data ?? null).toBeNull();
    expect(result.text).not.toMatch(/DOE|stack|at [A-Za-z]+ \(|127\.0\.0\.1|localhost/);
    const records = await auditOf(result);
    expect(records.map((r) => r.outcome)).toEqual([outcome]);
  }

  const send = (body: unknown, extra: Record<string, string> = {}) => postGraphQL(stack.gatewayUrl, body, { ...headers, ...extra });

  it('a query nested past the depth limit', async () => {
    const deep =
      '{ protectiveOrder(id: "PO-000001") { restrainedPerson { protectiveOrders { restrainedPerson { protectiveOrders { restrainedPerson { protectiveOrders { restrainedPerson { protectiveOrders { restrainedPerson { protectiveOrders { id } } } } } } } } } } } }';
    await expectRefused(await send({ query: deep }), 400, 'GRAPHQL_VALIDATION_FAILED', /depth limit of 10/i);
  });

  it('a query wider than the cost limit', async () => {
    const wide = `{ ${Array.from({ length: 14 }, (_, i) => `p${i}: searchPersons(lastName: "SMITH", limit: 50) { person { criminalHistory { arrests { charges { statute description level disposition { type date court sentence relief } } } } } }`).join(' ')} }`;
    await expectRefused(await send({ query: wide }), 400, 'GRAPHQL_VALIDATION_FAILED', /cost limit of 1000/i);
  });

  it('an alias flood, __typename included', async () => {
    const flood = `{ ${Array.from({ length: 16 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    await expectRefused(await send({ query: flood }), 400, 'GRAPHQL_VALIDATION_FAILED', /aliases limit of 15/i);
  });

  it('a directive flood', async () => {
    const flood = `{ __typename ${Array.from({ length: 11 }, () => '@include(if: true)').join(' ')} }`;
    await expectRefused(await send({ query: flood }), 400, 'GRAPHQL_VALIDATION_FAILED', /directives limit of 10/i);
  });

  it('a token flood', async () => {
    const flood = `{ person(id: "A10000001") { ${'id '.repeat(2100)} } }`;
    await expectRefused(await send({ query: flood }), 400, 'GRAPHQL_PARSE_FAILED', /more tha.? 2000 tokens/i);
  });

  it('a batch (array) of operations', async () => {
    await expectRefused(await send([{ query: '{ __typename }' }, { query: '{ __typename }' }]), 400, 'BAD_REQUEST', /batch/i);
  });

  it('malformed JSON', async () => {
    await expectRefused(await send('{"query": "{ __typename }"'), 400, 'BAD_REQUEST', /not valid JSON/);
  });

  it('malformed GraphQL', async () => {
    await expectRefused(await send({ query: '{ person(id: "A10000001" { id }' }), 400, 'GRAPHQL_PARSE_FAILED', /Syntax Error/);
  });

  it('huge variables (body over the cap)', async () => {
    await expectRefused(
      await send({ query: 'query($x: String) { __typename }', variables: { x: 'A'.repeat(200_000) } }),
      413,
      'BAD_REQUEST',
      /larger than 102400 bytes/,
    );
  });

  it('a forged token (alg none)', async () => {
    await expectRefused(
      await send({ query: '{ __typename }' }, { authorization: `Bearer ${unsignedToken(callerClaims())}` }),
      401,
      'UNAUTHENTICATED',
      /rejected/,
      'UNAUTHENTICATED',
    );
  });

  it('a mutation over GET', async () => {
    const q = encodeURIComponent('mutation { terminateProtectiveOrder(id: "PO-000001", expectedVersion: 2, reason: "X") { id } }');
    const res = await fetch(`${stack.gatewayUrl}?query=${q}`, { headers: { ...headers, 'apollo-require-preflight': '1' } });
    const result: GraphQLResult = { status: res.status, headers: res.headers, text: await res.text(), body: {} };
    result.body = JSON.parse(result.text);
    await expectRefused(result, 405, 'BAD_REQUEST', /GET requests only support query operations/);
  });

  it('a form-encoded POST (a cross-site request forgery)', async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B__typename%7D',
    });
    const result: GraphQLResult = { status: res.status, headers: res.headers, text: await res.text(), body: {} };
    result.body = JSON.parse(result.text);
    await expectRefused(result, 400, 'BAD_REQUEST', /CSRF/);
  });

  it('an unknown field, with no "Did you mean" suggestion in production', async () => {
    const result = await send({ query: '{ person(id: "A10000001") { nam } }' });
    await expectRefused(result, 400, 'GRAPHQL_VALIDATION_FAILED', /Cannot query field/);
    expect(result.text).not.toMatch(/Did you mean|"name"/);
  });

  it('_entities and _service at the gateway', async () => {
    await expectRefused(await send({ query: '{ _service { sdl } }' }), 400, 'GRAPHQL_VALIDATION_FAILED', /Cannot query field/);
    const entities = await send({ query: '{ _entities(representations: [{ __typename: "Person", id: "A10000001" }]) { __typename } }' });
    await expectRefused(entities, 400, 'GRAPHQL_VALIDATION_FAILED', /Cannot query field/);
  });

  it.each(SUBGRAPH_NAMES)('_entities and _service at %s directly, without the gateway (refused, and logged there)', async (name) => {
    for (const query of ['{ _service { sdl } }', '{ _entities(representations: [{ __typename: "Person", id: "A10000001" }]) { __typename } }']) {
      const result = await postGraphQL(stack.subgraphUrls[name], { query }, { [INTERNAL_TOKEN_HEADER]: 'forged' });
      expect(result.status).toBe(401);
      expect(result.body.data).toBeUndefined();
      expect(result.text).not.toMatch(/type Query|DOE/);
    }
    expect(await stack.waitForLog(name, 'refused a call without a valid internal token')).toBeDefined();
  });

  it.each(SUBGRAPH_NAMES)('malformed, oversized and misdirected calls to %s with a valid internal token: clear JSON errors, nothing echoed', async (name) => {
    const url = stack.subgraphUrls[name];
    const token = { [INTERNAL_TOKEN_HEADER]: await stack.internalToken('officer', name), 'content-type': 'application/json' };
    const malformed = await fetch(url, { method: 'POST', headers: token, body: '{"query": "{ person(id: \\"A10000001\\") { name { last } } }", DOE' });
    expect(malformed.status).toBe(400);
    const malformedText = await malformed.text();
    expect(JSON.parse(malformedText).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(malformedText).not.toMatch(/DOE|A10000001|at .*\.js/);
    const oversized = await fetch(url, { method: 'POST', headers: token, body: JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(2_000_000) }) });
    expect(oversized.status).toBe(413);
    expect((await oversized.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const elsewhere = await fetch(url.replace('/graphql', '/admin'), { headers: token });
    expect(elsewhere.status).toBe(404);
    expect((await elsewhere.json()).errors[0].extensions.code).toBe('NOT_FOUND');
    const served = await fetch(url, { method: 'POST', headers: token, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(await served.json()).toMatchObject({ data: { __typename: 'Query' } });
    const live = await fetch(url.replace('/graphql', '/health/live'));
    expect(await live.json()).toEqual({ status: 'live', service: name });
  });

  it('still serves a well-formed request: the limits do not touch ordinary work', async () => {
    const { OFFICER_PROFILE } = await import('../support/queries');
    const result = await send({ query: OFFICER_PROFILE, variables: { id: 'A10000001' } });
    expect(result.status).toBe(200);
    expect(result.body.data!.person.name.last).toBe('DOE');
  });
});
