import { SignJWT, type KeyLike } from 'jose';
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
  rid: string;
}

/**
 * Signs the token the gateway sends to one subgraph for one operation: the caller's identity,
 * scopes, purpose, reason and requestId, for that subgraph's audience only.
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
