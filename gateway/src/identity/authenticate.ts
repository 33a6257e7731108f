import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyLike,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { readFileSync } from 'node:fs';
import { parsePurposes, parseScopes, unauthenticated, type PurposeCode } from '../../../access-policy/src';
import { importKey, readJwk } from '../../../platform/src';
import type { GatewayConfig } from '../config';

/** Who the caller's token says they are, once verified. */
export interface VerifiedIdentity {
  sub: string;
  name: string;
  ori: string;
  client: string | null;
  scopes: ReadonlySet<string>;
  purposes: ReadonlySet<PurposeCode>;
}

/** Verifies `Authorization` headers. */
export interface Authenticator {
  /** The verified identity, or an UNAUTHENTICATED GraphQLError saying what is wrong (never why a signature failed). */
  authenticate(authorization: string | undefined): Promise<VerifiedIdentity>;
}

/**
 * The `sub` of a token that was refused although its signature verified (expired, another
 * audience or issuer, a claim missing): the one failure that may count against a user's account.
 * Null for every other failure — a token whose signature did not verify says nothing true about
 * whom it names, and counting it would let anyone lock anyone out (docs/design.md §7).
 */
export function verifiedSubjectOf(error: unknown): string | null {
  const sub = (error as { verifiedSubject?: unknown } | null)?.verifiedSubject;
  return typeof sub === 'string' ? sub : null;
}

/** An UNAUTHENTICATED error for a token that was genuinely signed for `sub` and still refused. */
function refusedGenuine(message: string, sub: unknown): Error {
  const error = unauthenticated(message);
  if (typeof sub === 'string' && sub) Object.defineProperty(error, 'verifiedSubject', { value: sub, enumerable: false });
  return error;
}

/** A 9-character ORI: two-letter state code and seven letters or digits. */
const ORI = /^[A-Z]{2}[0-9A-Z]{7}$/;
/** Bearer tokens longer than this are refused before parsing. */
const MAX_TOKEN_LENGTH = 8192;

function identityFrom(payload: JWTPayload): VerifiedIdentity {
  const { sub, name, ori, client, scope, purposes } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || !sub) throw unauthenticated('Token has no subject');
  if (typeof ori !== 'string' || !ORI.test(ori)) throw unauthenticated('Token has no valid ori claim');
  if (typeof scope !== 'string' && !Array.isArray(scope)) throw unauthenticated('Token has no scope claim');
  return {
    sub,
    name: typeof name === 'string' ? name : sub,
    ori,
    client: typeof client === 'string' && client ? client : null,
    scopes: parseScopes(scope),
    purposes: parsePurposes(purposes),
  };
}

/**
 * Builds the authenticator from configuration: keys from the dev issuer (sandbox) or from the
 * identity provider's JWKS (URL or file). Algorithms are pinned, `exp` is required (jose does
 * not require it unless told), `iss` and `aud` are checked, and clock tolerance is small.
 */
export async function createAuthenticator(auth: GatewayConfig['auth']): Promise<Authenticator> {
  let key: KeyLike | Uint8Array | JWTVerifyGetKey;
  switch (auth.keys.kind) {
    case 'dev-issuer':
      key = await importKey(readJwk(auth.keys.publicKeyFile), auth.algorithms[0]);
      break;
    case 'jwks-file':
      key = createLocalJWKSet(JSON.parse(readFileSync(auth.keys.file, 'utf8')) as JSONWebKeySet);
      break;
    case 'jwks-url':
      key = createRemoteJWKSet(new URL(auth.keys.url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      break;
  }
  const options = {
    algorithms: auth.algorithms,
    issuer: auth.issuer,
    audience: auth.audience,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: auth.clockToleranceSeconds,
  };
  // A caller sends the same token with every request: verify its signature once, then trust it
  // until it expires, for at most a minute (so a key withdrawn from the JWKS stops working soon).
  // Bounded in bytes too: a token may be 8 KB, and its identity's strings are at most as long
  // (two bytes a character for each, an upper estimate, and a fixed cost per entry).
  const verified = new LRUCache<string, { identity: VerifiedIdentity; validUntil: number }>({
    max: 10_000,
    maxSize: 32 * 1024 * 1024,
    sizeCalculation: (_entry, token) => 4 * token.length + 512,
  });
  return {
    async authenticate(authorization) {
      if (!authorization) throw unauthenticated('Authentication required: send Authorization: Bearer <token>');
      const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization.trim());
      if (!match || match[1].length > MAX_TOKEN_LENGTH) throw unauthenticated('Authorization must be a Bearer token');
      const hit = verified.get(match[1]);
      if (hit && hit.validUntil > Date.now()) return hit.identity;
      try {
        const { payload } = typeof key === 'function' ? await jwtVerify(match[1], key, options) : await jwtVerify(match[1], key, options);
        let identity: VerifiedIdentity;
        try {
          identity = identityFrom(payload);
        } catch (error) {
          throw refusedGenuine((error as Error).message, payload.sub);
        }
        verified.set(match[1], { identity, validUntil: Math.min(Date.now() + 60_000, payload.exp! * 1000) });
        return identity;
      } catch (error) {
        if (verifiedSubjectOf(error)) throw error;
        // jose checks claims only after the signature: these carry the payload it verified.
        if (error instanceof joseErrors.JWTExpired) throw refusedGenuine('Token expired', error.payload.sub);
        if (error instanceof joseErrors.JWTClaimValidationFailed) throw refusedGenuine('Token rejected', error.payload.sub);
        if (error instanceof joseErrors.JOSEError) throw unauthenticated('Token rejected');
        throw error;
      }
    },
  };
}
