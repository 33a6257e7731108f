import { SignJWT, type KeyLike } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Caller } from './caller';

/** Issuer of internal tokens; subgraphs accept no other. */
export const INTERNAL_ISSUER = 'custodian-gateway';
/** Algorithm of internal tokens, pinned on both sides. Ed25519: small, fast, asymmetric, so a
 *  compromised subgraph holds only a public key and cannot mint tokens for its peers. */
export const INTERNAL_ALGORITHM = 'EdDSA';
/** Lifetime of an internal token. It covers one operation's fetches, nothing more. */
export const INTERNAL_TOKEN_TTL_SECONDS = 60;

/** Claims of the internal token, beyond the registered ones. */
export interface InternalClaims {
  name: string;
  ori: string;
  client: string | null;
  scope: string;
  purposes: string;
  purpose: string | null;
  reason: string | null;
  /** The operation the token was first signed for (the token may serve others of the same caller and purpose). */
  rid: string;
}

/**
 * Signs the token the gateway sends to one subgraph: the caller's identity, scopes, purpose,
 * reason and requestId, for that subgraph's audience only.
 */
export async function signInternalToken(caller: Caller, audience: string, key: KeyLike | Uint8Array): Promise<string> {
  const claims: InternalClaims = {
    name: caller.name,
    ori: caller.ori,
    client: caller.client,
    scope: [...caller.scopes].join(' '),
    purposes: [...caller.purposes].join(' '),
    purpose: caller.purpose,
    reason: caller.reason,
    rid: caller.requestId,
  };
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: INTERNAL_ALGORITHM, typ: 'JWT' })
    .setIssuer(INTERNAL_ISSUER)
    .setAudience(audience)
    .setSubject(caller.sub)
    .setIssuedAt()
    .setExpirationTime(`${INTERNAL_TOKEN_TTL_SECONDS}s`)
    .sign(key);
}

/** Reuse a token while more than this many seconds of its life remain. */
const REUSE_MARGIN_SECONDS = 30;
// Bounded in bytes too: the key holds the caller's name and reason, and the token carries them
// again (two bytes a character for each, an upper estimate, and the token's fixed part).
const issued = new LRUCache<string, { token: Promise<string>; expiresAt: number }>({
  max: 10_000,
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (_entry, id) => 4 * id.length + 1024,
});

/**
 * The internal token for a caller, purpose and reason at one subgraph: signed once and reused for
 * about 30 seconds, so a busy caller does not cost an Ed25519 signature per subgraph per request.
 * Everything the subgraph decides from is in the key; the operation's own id travels in
 * `x-request-id`.
 */
export function internalTokenFor(caller: Caller, audience: string, key: KeyLike | Uint8Array): Promise<string> {
  const id = [
    audience,
    caller.sub,
    caller.name,
    caller.ori,
    caller.client,
    [...caller.scopes].join(' '),
    [...caller.purposes].join(' '),
    caller.purpose,
    caller.reason,
  ].join('\u0000');
  const now = Date.now();
  const hit = issued.get(id);
  if (hit && hit.expiresAt - now > REUSE_MARGIN_SECONDS * 1000) return hit.token;
  const token = signInternalToken(caller, audience, key);
  issued.set(id, { token, expiresAt: now + INTERNAL_TOKEN_TTL_SECONDS * 1000 });
  token.catch(() => issued.delete(id));
  return token;
}
