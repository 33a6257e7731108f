import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGatewayConfig } from '../../gateway/src/config';
import { SUBGRAPH_NAMES } from '../../access-policy/src';
import { projectRoot, readSubgraphConfig, SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { freePort } from '../support/free-port';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { callerClaims, fakeIdentityProvider, signAsDevIssuer } from '../support/tokens';

const ISSUER = 'https://idp.agency.example';
const AUDIENCE = 'custodian-api';
const QUERY = { query: '{ person(id: "A10000001") { name { last } } }' };
const INTROSPECTION = { query: '{ __schema { types { name } } }' };
const PURPOSE = { 'x-purpose-code': 'C', 'x-reason': 'INC-9' };

/** NODE_ENV values that once opened the sandbox because they were not exactly `production`. */
const NOT_PRODUCTION = [undefined, 'prod', 'staging', 'development', 'test'];

/** The test process's environment without the variables that choose a mode. */
function environmentWith(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_ENV;
  delete env.CUSTODIAN_MODE;
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

/** Starts a service's compiled entry point and waits for it to exit (or kills it after 15 s: it started). */
function runUntilExit(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot(), 'dist', script)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('sandbox mode exists only when asked for by name (CUSTODIAN_MODE=sandbox); every other start is production', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-mode-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([undefined, 'prod', 'staging'])(
    'NODE_ENV=%s: the gateway and every subgraph refuse to start without an identity provider and operator keys',
    async (nodeEnv) => {
      const env = environmentWith({ NODE_ENV: nodeEnv, DATA_DIR: dataDir });
      const [gateway, ...subgraphs] = await Promise.all(
        ['gateway/src/main.js', ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}/src/main.js`)].map(async (script) =>
          runUntilExit(script, { ...env, PORT: String(await freePort()) }),
        ),
      );
      expect(gateway.code).toBe(1);
      expect(gateway.stderr).toMatch(/AUTH_JWKS_URL or AUTH_JWKS_FILE: required in production/);
      subgraphs.forEach((subgraph, i) => {
        expect({ name: SUBGRAPH_NAMES[i], code: subgraph.code }).toEqual({ name: SUBGRAPH_NAMES[i], code: 1 });
        expect(subgraph.stderr).toMatch(/INTERNAL_TOKEN_PUBLIC_KEY_FILE: required in production/);
      });
    },
  );

  it.each(NOT_PRODUCTION)('NODE_ENV=%s reads as production, whatever its value', (nodeEnv) => {
    const env = { NODE_ENV: nodeEnv, AUTH_JWKS_FILE: '/j', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, INTERNAL_TOKEN_PRIVATE_KEY_FILE: '/k' };
    expect(readGatewayConfig(env).mode).toBe('production');
    expect(readSubgraphConfig('orders', { NODE_ENV: nodeEnv, INTERNAL_TOKEN_PUBLIC_KEY_FILE: '/p' }).mode).toBe('production');
  });

  it('CUSTODIAN_MODE=sandbox asks for the sandbox; nothing else does', () => {
    expect(readGatewayConfig({ CUSTODIAN_MODE: 'sandbox' }).mode).toBe('sandbox');
    expect(readGatewayConfig({ CUSTODIAN_MODE: 'sandbox', NODE_ENV: 'staging' }).auth.keys.kind).toBe('dev-issuer');
    expect(readSubgraphConfig('alerts', { CUSTODIAN_MODE: 'sandbox' }).mode).toBe('sandbox');
    expect(() => readGatewayConfig({ CUSTODIAN_MODE: 'Sandbox' })).toThrow(/CUSTODIAN_MODE/);
    expect(() => readGatewayConfig({ CUSTODIAN_MODE: 'development' })).toThrow(/CUSTODIAN_MODE/);
  });

  it('refuses a sandbox asked for beside NODE_ENV=production (the production image sets it)', async () => {
    expect(() => readGatewayConfig({ CUSTODIAN_MODE: 'sandbox', NODE_ENV: 'production' })).toThrow(
      /CUSTODIAN_MODE: sandbox asked for with NODE_ENV=production/,
    );
    expect(() => readSubgraphConfig('orders', { CUSTODIAN_MODE: 'sandbox', NODE_ENV: 'production' })).toThrow(/CUSTODIAN_MODE/);
    const run = await runUntilExit(
      'gateway/src/main.js',
      environmentWith({ CUSTODIAN_MODE: 'sandbox', NODE_ENV: 'production', DATA_DIR: dataDir, PORT: String(await freePort()) }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/CUSTODIAN_MODE/);
  });
});

describe.each([[''], ['prod'], ['staging']])('a stack started with NODE_ENV=%p and an identity provider, without asking for the sandbox', (nodeEnv) => {
  let stack: Stack;
  let idp: Awaited<ReturnType<typeof fakeIdentityProvider>>;
  beforeAll(async () => {
    idp = await fakeIdentityProvider(ISSUER, AUDIENCE);
    const jwksFile = join(mkdtempSync(join(tmpdir(), 'custodian-jwks-')), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(idp.jwks));
    stack = await startStack({
      persons: 20,
      sandbox: false,
      env: (dataDir) => ({
        NODE_ENV: nodeEnv,
        AUTH_JWKS_FILE: jwksFile,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        INTERNAL_TOKEN_PRIVATE_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).privateFile,
        INTERNAL_TOKEN_PUBLIC_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).publicFile,
      }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("serves the identity provider's callers", async () => {
    const result = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await idp.sign(callerClaims())}`, ...PURPOSE });
    expect(result.status).toBe(200);
    expect(result.body.data!.person.name.last).toBe('DOE');
  });

  it('runs as production: no explorer, no dev issuer token endpoint, no dev issuer tokens', async () => {
    expect((await fetch(`${stack.baseUrl}/`)).status).toBe(404);
    expect((await fetch(`${stack.baseUrl}/explorer/config`)).status).toBe(404);
    const token = await fetch(`${stack.baseUrl}/explorer/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"persona":"court-clerk"}',
    });
    expect(token.status).toBe(404);
    const devToken = await postGraphQL(stack.gatewayUrl, QUERY, {
      authorization: `Bearer ${await signAsDevIssuer(stack.dataDir, callerClaims())}`,
      ...PURPOSE,
    });
    expect(devToken.status).toBe(401);
  });

  it('runs as production: no introspection, no field suggestions', async () => {
    const auth = { authorization: `Bearer ${await idp.sign(callerClaims())}`, ...PURPOSE };
    const introspection = await postGraphQL(stack.gatewayUrl, INTROSPECTION, auth);
    expect(introspection.body.data).toBeUndefined();
    expect(introspection.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(introspection.text).not.toContain('ProtectiveOrder');
    const typo = await postGraphQL(stack.gatewayUrl, { query: '{ persn(id: "A10000001") { id } }' }, auth);
    expect(typo.text).not.toMatch(/Did you mean/);
  });
});

describe('a stack that asks for the sandbox (CUSTODIAN_MODE=sandbox), even with NODE_ENV=staging', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ persons: 20, env: { NODE_ENV: 'staging' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the explorer, its token endpoint and introspection', async () => {
    expect(stack.env.CUSTODIAN_MODE).toBe('sandbox');
    expect((await fetch(`${stack.baseUrl}/`)).status).toBe(200);
    const res = await fetch(`${stack.baseUrl}/explorer/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"persona":"officer"}',
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const introspection = await postGraphQL(stack.gatewayUrl, INTROSPECTION, { authorization: `Bearer ${token}`, ...PURPOSE });
    expect(introspection.body.data!.__schema.types.length).toBeGreaterThan(10);
  });
});
