import { INTERNAL_TOKEN_HEADER, findPersona, SUBGRAPH_NAMES } from '../../access-policy/src';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { callerClaims, editPayload, signAsDevIssuer, signWithForeignKey, unsignedToken } from '../support/tokens';
import { generateKeyPair, SignJWT } from 'jose';
import { readFileSync } from 'node:fs';
import { SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';

/** docs/design.md §4 rule 1 and §7: no valid token, no data — HTTP 401, UNAUTHENTICATED. */
describe('caller authentication at the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ persons: 50 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const QUERY = '{ person(id: "A10000001") { name { last } criminalHistory { convictions { statute } } } }';
  const send = (authorization: string | undefined) =>
    postGraphQL(stack.gatewayUrl, { query: QUERY }, { authorization, 'x-purpose-code': 'C', 'x-reason': 'INC-1' });

  const expectUnauthenticated = (result: Awaited<ReturnType<typeof send>>) => {
    expect(result.status).toBe(401);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(result.text).not.toContain('DOE');
  };

  it('accepts a token from the dev issuer', async () => {
    const result = await send(`Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims())}`);
    expect(result.status).toBe(200);
    expect(result.body.data!.person.name.last).toBe('DOE');
  });

  it('refuses a request without a token', async () => expectUnauthenticated(await send(undefined)));
  it('refuses a non-Bearer Authorization header', async () => expectUnauthenticated(await send('Basic b2ZmaWNlcjpwYXNzd29yZA==')));
  it('refuses garbage in place of a token', async () => expectUnauthenticated(await send('Bearer not.a.jwt')));
  it('refuses an unsigned token (alg none)', async () => expectUnauthenticated(await send(`Bearer ${unsignedToken(callerClaims())}`)));
  it('refuses a token signed with a foreign key', async () => expectUnauthenticated(await send(`Bearer ${await signWithForeignKey(callerClaims())}`)));
  it('refuses a token whose payload was edited after signing (scopes added)', async () => {
    const token = await signAsDevIssuer(stack.dataDir, callerClaims({ scope: 'person:match' }));
    expectUnauthenticated(await send(`Bearer ${editPayload(token, (p) => ({ ...p, scope: 'person:read criminal_history:read criminal_history:sealed' }))}`));
  });
  it('refuses an expired token', async () =>
    expectUnauthenticated(
      await send(
        `Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims(), { expiresAt: Math.floor(Date.now() / 1000) - 3600, issuedAt: Math.floor(Date.now() / 1000) - 7200 })}`,
      ),
    ));
  it('refuses a token without an expiry', async () =>
    expectUnauthenticated(await send(`Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims(), { expiresAt: null })}`)));
  it('refuses a token from another issuer', async () =>
    expectUnauthenticated(await send(`Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims(), { issuer: 'https://evil.example' })}`)));
  it('refuses a token for another audience', async () =>
    expectUnauthenticated(await send(`Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims(), { audience: 'some-other-api' })}`)));
  it('refuses a token without an ORI', async () =>
    expectUnauthenticated(await send(`Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims({ ori: undefined }))}`)));
  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const publicJwk = readFileSync(sandboxKeyFiles(stack.dataDir, SANDBOX_KEYS.devIssuer).publicFile);
    const token = await new SignJWT(callerClaims())
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('custodian-dev-issuer')
      .setAudience('custodian')
      .setExpirationTime('10m')
      .sign(publicJwk);
    expectUnauthenticated(await send(`Bearer ${token}`));
  });
  it('refuses a GET query without a token as well', async () => {
    const res = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(res.status).toBe(401);
  });
});

/** docs/design.md §7: each subgraph refuses any request without a valid internal token, _service and _entities included. */
describe('internal tokens between the gateway and the subgraphs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ persons: 50 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const ENTITIES = {
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }',
    variables: { r: [{ __typename: 'Person', id: 'A10000001' }] },
  };
  const SERVICE = { query: '{ _service { sdl } }' };

  describe.each(SUBGRAPH_NAMES)('%s', (name) => {
    const call = (body: unknown, token?: string) => postGraphQL(stack.subgraphUrls[name], body, token ? { [INTERNAL_TOKEN_HEADER]: token } : {});
    const refused = (r: Awaited<ReturnType<typeof call>>) => {
      expect(r.status).toBe(401);
      expect(r.body.data).toBeUndefined();
      expect(r.text).not.toContain('type Query');
    };

    it('refuses _service (its SDL) without a token', async () => refused(await call(SERVICE)));
    it('refuses _entities without a token', async () => refused(await call(ENTITIES)));
    it("refuses a token minted for another subgraph's audience", async () => {
      const other = SUBGRAPH_NAMES.find((n) => n !== name)!;
      refused(await call(ENTITIES, await stack.internalToken('officer', other)));
    });
    it('refuses a caller JWT in place of an internal token', async () => refused(await call(SERVICE, await stack.token('officer'))));
    it('refuses an internal token signed by another key', async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = await new SignJWT({ scope: findPersona('court-clerk')!.scopes.join(' '), rid: 'x', purpose: 'C' })
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer('custodian-gateway')
        .setAudience(name)
        .setSubject('u-evil')
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(privateKey);
      refused(await call(ENTITIES, forged));
    });
    it('serves _service and _entities with a valid internal token', async () => {
      const token = await stack.internalToken('officer', name);
      const sdl = await call(SERVICE, token);
      expect(sdl.status).toBe(200);
      expect(sdl.body.data!._service.sdl).toContain('type Person');
      const entities = await call(ENTITIES, token);
      expect(entities.body.data!._entities).toEqual([{ id: 'A10000001' }]);
    });
  });
});
