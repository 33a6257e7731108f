import { randomUUID } from 'node:crypto';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { callerClaims, signAsDevIssuer } from '../support/tokens';

const QUERY = { query: '{ person(id: "A10000001") { name { last } } }' };
const C = { 'x-purpose-code': 'C', 'x-reason': 'INC-RL' };

/** docs/design.md §7: rate limits per user and client, a daily quota for screeners, lockout after failed sign-ins. */
describe('rate limits, quotas and lockout', () => {
  let stack: Stack;
  let clientNo = 0;
  /** Each scenario comes from its own client address (the gateway trusts X-Forwarded-For from loopback here). */
  const from = () => ({ 'x-forwarded-for': `203.0.113.${++clientNo}` });
  const tokenFor = (claims: Record<string, unknown>) =>
    signAsDevIssuer(stack.dataDir, callerClaims({ sub: `u-${randomUUID()}`, client: `c-${randomUUID()}`, ...claims }));

  beforeAll(async () => {
    stack = await startStack({
      mode: 'in-process',
      persons: 20,
      env: { RATE_LIMIT_USER_PER_MINUTE: '5', RATE_LIMIT_CLIENT_PER_MINUTE: '8', SCREENING_DAILY_QUOTA: '3', LOCKOUT_ATTEMPTS: '5', TRUST_PROXY: 'loopback' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function auditOf(requestId: string | null) {
    const { body } = await stack.query('auditor', `{ auditEvents(limit: 50) { requestId outcome errorCodes sourceAddress } }`, undefined, from());
    return body.data!.auditEvents.filter((e: any) => e.requestId === requestId);
  }

  it('slows a user past their rate: 429 RATE_LIMITED with Retry-After, audited as DENIED; other users unaffected', async () => {
    const ip = from();
    const token = await tokenFor({});
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof postGraphQL>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${token}`, ...C, ...ip });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.body.errors![0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' }, message: expect.stringContaining('user rate limit') });
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.body.data).toBeUndefined();
    expect(await auditOf(last!.headers.get('x-request-id'))).toEqual([
      expect.objectContaining({ outcome: 'DENIED', errorCodes: ['RATE_LIMITED'], sourceAddress: ip['x-forwarded-for'] }),
    ]);
    const other = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await tokenFor({})}`, ...C, ...from() });
    expect(other.status).toBe(200);
  });

  it('limits a client application across its users', async () => {
    const client = `c-${randomUUID()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const token = await tokenFor({ client });
      statuses.push((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${token}`, ...C, ...from() })).status);
    }
    expect(statuses).toEqual([...Array(8).fill(200), 429]);
  });

  it('gives a background-check client a daily quota', async () => {
    const client = `screening-${randomUUID()}`;
    const search = { query: '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { score } }' };
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof postGraphQL>> | undefined;
    for (let i = 0; i < 4; i++) {
      const token = await tokenFor({ client, scope: 'person:match criminal_history:employment', purposes: 'I' });
      last = await postGraphQL(stack.gatewayUrl, search, { authorization: `Bearer ${token}`, 'x-purpose-code': 'I', ...from() });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.body.errors![0].message).toContain('daily quota');
  });

  it('locks a client address out after 5 failed authentications, valid tokens included, and audits it', async () => {
    const ip = from();
    for (let i = 0; i < 5; i++) expect((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: 'Bearer not.a.token', ...ip })).status).toBe(401);
    const locked = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await tokenFor({})}`, ...C, ...ip });
    expect(locked.status).toBe(429);
    expect(locked.body.errors![0].message).toMatch(/failed authentication attempts/);
    expect(await auditOf(locked.headers.get('x-request-id'))).toEqual([expect.objectContaining({ outcome: 'UNAUTHENTICATED', errorCodes: ['RATE_LIMITED'] })]);
    expect((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await tokenFor({})}`, ...C, ...from() })).status).toBe(200);
  });

  it('locks a user out after 5 failed authentications claiming to be them, from any address', async () => {
    const sub = `u-${randomUUID()}`;
    const claimsOf = (token: string) => token.split('.')[1];
    const forged = await signAsDevIssuer(stack.dataDir, callerClaims({ sub }), { audience: 'wrong-audience' });
    expect(claimsOf(forged)).toBeTruthy();
    for (let i = 0; i < 5; i++) expect((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${forged}`, ...from() })).status).toBe(401);
    const genuine = await signAsDevIssuer(stack.dataDir, callerClaims({ sub }));
    expect((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${genuine}`, ...C, ...from() })).status).toBe(429);
  });
});

const REDIS = process.env.CUSTODIAN_TEST_REDIS || null;
if (!REDIS) console.warn('SKIPPED: shared rate limits across replicas (no Redis)');

/** Replicas agree on the counts: the limits live in Redis, not in one process. */
(REDIS ? describe : describe.skip)('rate limits shared by gateway replicas through Redis', () => {
  let stack: Stack;
  let replica: Awaited<ReturnType<Stack['addGateway']>>;
  beforeAll(async () => {
    stack = await startStack({ persons: 20, env: { REDIS_URL: REDIS!, RATE_LIMIT_USER_PER_MINUTE: '4' } });
    replica = await stack.addGateway();
  });
  afterAll(async () => {
    await replica?.stop();
    await stack?.stop();
  });

  it('counts one user across both replicas', async () => {
    const token = await signAsDevIssuer(stack.dataDir, callerClaims({ sub: `u-${randomUUID()}`, client: `c-${randomUUID()}` }));
    const headers = { authorization: `Bearer ${token}`, ...C };
    const statuses: number[] = [];
    for (const url of [stack.gatewayUrl, replica.gatewayUrl, stack.gatewayUrl, replica.gatewayUrl, stack.gatewayUrl, replica.gatewayUrl]) {
      statuses.push((await postGraphQL(url, QUERY, headers)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
