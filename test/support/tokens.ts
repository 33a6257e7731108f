import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { importKey, readJwk, SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../gateway/src/config';

/** Claims of a well-formed sandbox caller token, for tests to vary. */
export function callerClaims(overrides: Record<string, unknown> = {}): JWTPayload & Record<string, unknown> {
  return {
    sub: 'u-test-0001',
    name: 'Test Caller',
    ori: 'CA0194200',
    client: 'test-suite',
    scope: 'person:read criminal_history:read orders:read alerts:read alerts:caution',
    purposes: 'C',
    ...overrides,
  };
}

/**
 * Signs claims with the sandbox dev issuer's own key, as the dev issuer would (ES256, its issuer
 * and audience, 10 minutes), with `options` to break one thing at a time.
 */
export async function signAsDevIssuer(
  dataDir: string,
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; expiresAt?: number | null; issuedAt?: number } = {},
): Promise<string> {
  const key = await importKey(readJwk(sandboxKeyFiles(dataDir, SANDBOX_KEYS.devIssuer).privateFile), 'ES256');
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt(options.issuedAt);
  if (options.expiresAt !== null) jwt.setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(key);
}

/** A token with the right shape and claims, signed by a key nobody trusts. */
export async function signWithForeignKey(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`) claiming whatever it likes. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now, exp: now + 600, ...claims })}.`;
}

/** A valid token whose payload was edited afterwards (the signature no longer matches). */
export function editPayload(token: string, edit: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  return `${header}.${b64(edit(claims))}.${signature}`;
}

/** A JWKS of a fresh RSA key, and a function signing tokens with it: a stand-in identity provider. */
export async function fakeIdentityProvider(issuer: string, audience: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    sign: (claims: Record<string, unknown>, ttl = '10m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-key-1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(ttl)
        .sign(privateKey),
  };
}
