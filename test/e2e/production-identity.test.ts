import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGatewayConfig } from '../../gateway/src/config';
import { DevIssuer } from '../../gateway/src/dev-issuer/dev-issuer';
import { projectRoot, SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { callerClaims, fakeIdentityProvider, signAsDevIssuer } from '../support/tokens';

const ISSUER = 'https://idp.agency.example';
const AUDIENCE = 'custodian-api';
const QUERY = { query: '{ person(id: "A10000001") { name { last } } }' };
const PURPOSE = { 'x-purpose-code': 'C', 'x-reason': 'INC-9' };

/** Production keys (operator-provided) for a stack, taken from the files the harness made. */
const productionKeys = (dataDir: string) => ({
  INTERNAL_TOKEN_PRIVATE_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).privateFile,
  INTERNAL_TOKEN_PUBLIC_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).publicFile,
});

describe('production identity: tokens only from the configured identity provider', () => {
  let stack: Stack;
  let idp: Awaited<ReturnType<typeof fakeIdentityProvider>>;
  beforeAll(async () => {
    idp = await fakeIdentityProvider(ISSUER, AUDIENCE);
    const jwksFile = join(mkdtempSync(join(tmpdir(), 'custodian-jwks-')), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(idp.jwks));
    stack = await startStack({
      mode: 'in-process',
      persons: 20,
      sandbox: false,
      env: (dataDir) => ({ NODE_ENV: 'production', AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, ...productionKeys(dataDir) }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("accepts the identity provider's RS256 token, keys from AUTH_JWKS_FILE", async () => {
    const result = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await idp.sign(callerClaims())}`, ...PURPOSE });
    expect(result.status).toBe(200);
    expect(result.body.data!.person.name.last).toBe('DOE');
  });

  it("refuses a dev issuer's token: the dev issuer is off in production", async () => {
    const result = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims())}`, ...PURPOSE });
    expect(result.status).toBe(401);
  });

  it("refuses the identity provider's token for another audience", async () => {
    const other = await fakeIdentityProvider(ISSUER, 'another-api');
    const result = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await other.sign(callerClaims())}`, ...PURPOSE });
    expect(result.status).toBe(401);
  });

  it('will not open the dev issuer in production, and the token command fails', async () => {
    await expect(DevIssuer.open(stack.dataDir, 'production')).rejects.toThrow(/off in production/);
    const run = spawnSync(process.execPath, [join(projectRoot(), 'dist/gateway/src/dev-issuer/token-cli.js'), 'officer'], {
      env: { ...process.env, NODE_ENV: 'production', DATA_DIR: stack.dataDir },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
  });

  it('serves no explorer, no sandbox token endpoint and no introspection in production', async () => {
    expect((await fetch(`${stack.baseUrl}/`)).status).toBe(404);
    expect((await fetch(`${stack.baseUrl}/explorer/assets/graphiql.min.js`)).status).toBe(404);
    const token = await fetch(`${stack.baseUrl}/explorer/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"persona":"officer"}',
    });
    expect(token.status).toBe(404);
    const introspection = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ __schema { types { name } } }' },
      { authorization: `Bearer ${await idp.sign(callerClaims())}` },
    );
    expect(introspection.body.data).toBeUndefined();
    expect(introspection.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(introspection.text).not.toContain('ProtectiveOrder');
  });

  it('refuses to start in production without an identity provider, naming the variable', () => {
    expect(() => readGatewayConfig({ NODE_ENV: 'production', INTERNAL_TOKEN_PRIVATE_KEY_FILE: '/k' })).toThrow(/AUTH_JWKS_URL or AUTH_JWKS_FILE/);
    expect(() => readGatewayConfig({ NODE_ENV: 'production', AUTH_JWKS_FILE: '/j', AUTH_ISSUER: ISSUER })).toThrow(/AUTH_AUDIENCE/);
    expect(() => readGatewayConfig({ AUTH_JWKS_FILE: '/j', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_ALGORITHMS: 'HS256' })).toThrow(
      /AUTH_ALGORITHMS/,
    );
  });
});

describe('identity provider keys from a JWKS URL', () => {
  let stack: Stack;
  let server: Server;
  let idp: Awaited<ReturnType<typeof fakeIdentityProvider>>;
  beforeAll(async () => {
    idp = await fakeIdentityProvider(ISSUER, AUDIENCE);
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(idp.jwks)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`;
    stack = await startStack({ mode: 'in-process', persons: 20, env: { AUTH_JWKS_URL: url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE } });
  });
  afterAll(async () => {
    await stack?.stop();
    server?.close();
  });

  it('verifies tokens against the keys fetched from AUTH_JWKS_URL', async () => {
    const ok = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await idp.sign(callerClaims())}`, ...PURPOSE });
    expect(ok.status).toBe(200);
    const stranger = await fakeIdentityProvider(ISSUER, AUDIENCE);
    const refused = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await stranger.sign(callerClaims())}`, ...PURPOSE });
    expect(refused.status).toBe(401);
  });
});
