import { BASELINE_DAYS } from '../../gateway/src/audit/misuse-report';
import { SIGNAL_BASELINE_DAYS } from '../../gateway/src/audit/audit-events-subgraph';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { callerClaims, fakeIdentityProvider } from '../support/tokens';

const SIGNALS = `query Signals($from: DateTime!, $to: DateTime!) {
  misuseSignals(from: $from, to: $to) { signal user summary records { id user purpose reason outcome } }
}`;

/** Issue 24: the auditor's console and the misuse signals it reads through the audited API. */
const windowOf = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

describe("the auditor's console and misuseSignals", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 20 });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  it('serves /audit/ from this origin under a strict Content-Security-Policy, and its scripts load nothing else', async () => {
    const page = await fetch(`${stack.baseUrl}/audit/?subject=Person:A10000001`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const asset of ['console.js', 'console.css']) {
      const res = await fetch(`${stack.baseUrl}/audit/assets/${asset}`);
      expect(res.status).toBe(200);
      expect(await res.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
    expect((await fetch(`${stack.baseUrl}/audit/assets/__proto__`)).status).toBe(404);
    expect(await (await fetch(`${stack.baseUrl}/audit/config`)).json()).toEqual({ signIn: 'sandbox' });
  });

  it("raises the report's signals with the records behind each, for audit:read only, and audits the looking", async () => {
    // Purpose C without a case number: refused, and a signal (docs/design.md §5).
    const refused = await stack.query('officer', '{ person(id: "A10000001") { id } }', undefined, { 'x-reason': undefined });
    expect(refused.body.errors).toBeDefined();

    const answer = await stack.query('auditor', SIGNALS, windowOf());
    expect(answer.body.errors).toBeUndefined();
    const signal = answer.body.data!.misuseSignals.find((s: any) => s.signal === 'PURPOSE_C_WITHOUT_REASON' && s.user === 'u-officer-1001');
    expect(signal).toBeDefined();
    expect(signal.records.length).toBeGreaterThanOrEqual(1);
    expect(signal.records.every((r: any) => r.user === 'u-officer-1001' && r.purpose === 'C' && r.reason === null)).toBe(true);

    const denied = await stack.query('officer', SIGNALS, windowOf());
    expect(denied.body.data?.misuseSignals ?? null).toBeNull();
    expect(denied.body.errors!.map((e) => e.extensions?.code)).toContain('FORBIDDEN');

    // The auditor's own look is in the log.
    const log = await stack.query('auditor', '{ auditEvents(user: "u-auditor-5001", limit: 20) { operationName fieldsResolved } }');
    expect(log.body.data!.auditEvents.some((e: any) => e.operationName === 'Signals')).toBe(true);
  });

  it('refuses a window longer than 31 days or backwards', async () => {
    const long = await stack.query('auditor', SIGNALS, { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(long.body.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const backwards = await stack.query('auditor', SIGNALS, { from: '2026-03-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    expect(backwards.body.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('judges volume against the same baseline as audit report', () => {
    expect(SIGNAL_BASELINE_DAYS).toBe(BASELINE_DAYS);
  });
});

describe("the auditor's console in production", () => {
  let stack: Stack;
  let idp: Awaited<ReturnType<typeof fakeIdentityProvider>>;
  beforeAll(async () => {
    idp = await fakeIdentityProvider('https://idp.agency.example', 'custodian-api');
    const jwksFile = join(mkdtempSync(join(tmpdir(), 'custodian-jwks-')), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(idp.jwks));
    stack = await startStack({
      mode: 'in-process',
      persons: 20,
      sandbox: false,
      env: (dataDir) => ({
        NODE_ENV: 'production',
        AUTH_JWKS_FILE: jwksFile,
        AUTH_ISSUER: 'https://idp.agency.example',
        AUTH_AUDIENCE: 'custodian-api',
        INTERNAL_TOKEN_PRIVATE_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).privateFile,
        INTERNAL_TOKEN_PUBLIC_KEY_FILE: sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).publicFile,
      }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is served, asks for a pasted token (no token endpoint exists), and answers an audit:read token only', async () => {
    expect((await fetch(`${stack.baseUrl}/audit/`)).status).toBe(200);
    expect(await (await fetch(`${stack.baseUrl}/audit/config`)).json()).toEqual({ signIn: 'token' });
    expect(
      (await fetch(`${stack.baseUrl}/explorer/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"persona":"auditor"}' }))
        .status,
    ).toBe(404);
    const query = { query: SIGNALS, variables: windowOf() };
    const auditor = await postGraphQL(stack.gatewayUrl, query, {
      authorization: `Bearer ${await idp.sign(callerClaims({ scope: 'audit:read', purposes: '' }))}`,
    });
    expect(auditor.body.errors).toBeUndefined();
    expect(Array.isArray(auditor.body.data!.misuseSignals)).toBe(true);
    const officer = await postGraphQL(stack.gatewayUrl, query, { authorization: `Bearer ${await idp.sign(callerClaims())}` });
    expect(officer.body.errors!.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  });
});
