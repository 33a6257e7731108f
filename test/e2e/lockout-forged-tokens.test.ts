import { randomUUID } from 'node:crypto';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { callerClaims, editPayload, signAsDevIssuer, signWithForeignKey, unsignedToken } from '../support/tokens';

const QUERY = { query: '{ person(id: "A10000001") { name { last } } }' };
const C = { 'x-purpose-code': 'C', 'x-reason': 'INC-LOCK' };

/**
 * docs/design.md §7, issue 18: a token whose signature did not verify never counts against the user it
 * claims — anyone could otherwise lock anyone out — while failures still count against the address
 * they come from, and each such refusal is audited with the claimed user marked unverified.
 */
describe('lockout and forged tokens', () => {
  let stack: Stack;
  let clientNo = 0;
  const from = () => ({ 'x-forwarded-for': `198.51.100.${++clientNo}` });

  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 20, env: { LOCKOUT_ATTEMPTS: '5', TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function auditOf(requestId: string | null) {
    const { body } = await stack.query('auditor', `{ auditEvents(limit: 200) { requestId user outcome errorCodes } }`, undefined, from());
    return body.data!.auditEvents.filter((e: { requestId: string }) => e.requestId === requestId);
  }

  const victimToken = (sub: string) => signAsDevIssuer(stack.dataDir, callerClaims({ sub, client: `c-${randomUUID()}` }));

  it.each([
    ['unsigned (alg: none)', async (sub: string) => unsignedToken(callerClaims({ sub }))],
    ['signed by a key nobody trusts', (sub: string) => signWithForeignKey(callerClaims({ sub }))],
    ['a genuine token with its payload edited', async (sub: string) => editPayload(await victimToken('u-attacker'), (p) => ({ ...p, sub }))],
  ])('five %s tokens claiming a victim, from anywhere, do not lock the victim out', async (_kind, forge) => {
    const victim = `u-${randomUUID()}`;
    for (let i = 0; i < 6; i++) {
      expect((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await forge(victim)}`, ...from() })).status).toBe(401);
    }
    const genuine = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await victimToken(victim)}`, ...C, ...from() });
    expect(genuine.status).toBe(200);
    expect(genuine.body.data?.person?.name?.last).toBe('DOE');
  });

  it('a forged token is refused and audited with the claimed user marked unverified', async () => {
    const victim = `u-${randomUUID()}`;
    const refused = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${unsignedToken(callerClaims({ sub: victim }))}`, ...from() });
    expect(refused.status).toBe(401);
    expect(await auditOf(refused.headers.get('x-request-id'))).toEqual([
      expect.objectContaining({ user: `unverified:${victim}`, outcome: 'UNAUTHENTICATED', errorCodes: ['UNAUTHENTICATED'] }),
    ]);
  });

  it('forged tokens still count against the address they come from', async () => {
    const ip = from();
    for (let i = 0; i < 5; i++) {
      expect(
        (await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${unsignedToken(callerClaims({ sub: `u-${randomUUID()}` }))}`, ...ip })).status,
      ).toBe(401);
    }
    const locked = await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await victimToken(`u-${randomUUID()}`)}`, ...C, ...ip });
    expect(locked.status).toBe(429);
  });

  it('genuine tokens of the user that fail (expired) still count against that user, from any address', async () => {
    const user = `u-${randomUUID()}`;
    const expired = await signAsDevIssuer(stack.dataDir, callerClaims({ sub: user }), {
      expiresAt: Math.floor(Date.now() / 1000) - 3600,
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
    });
    for (let i = 0; i < 5; i++) expect((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${expired}`, ...from() })).status).toBe(401);
    expect((await postGraphQL(stack.gatewayUrl, QUERY, { authorization: `Bearer ${await victimToken(user)}`, ...C, ...from() })).status).toBe(429);
  });
});
