import { jwtVerify, errors as joseErrors, type KeyLike } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Caller } from './caller';
import { unauthenticated } from './error-codes';
import { INTERNAL_ALGORITHM, INTERNAL_ISSUER, INTERNAL_TOKEN_TTL_SECONDS } from './internal-token-sign';
import { isPurposeCode, parsePurposes } from './purposes';
import { parseScopes } from './scopes';

/**
 * Tokens already verified, so that a token the gateway reuses is checked once, not per call.
 * Bounded in bytes too: the caller it holds is at most as long as the token (two bytes a
 * character for each, an upper estimate, and a fixed cost per entry).
 */
const verified = new LRUCache<string, { caller: Caller; audience: string; validUntil: number }>({
  max: 10_000,
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (_entry, token) => 4 * token.length + 512,
});

/** Header that carries the internal token from the gateway to subgraphs. */
export const INTERNAL_TOKEN_HEADER = 'x-custodian-internal-token';

/**
 * Verifies an internal token for this subgraph and returns the caller it carries. Anything
 * wrong — missing, foreign key, other audience, expired, edited — is UNAUTHENTICATED: a
 * subgraph serves nothing, not even its SDL, to a call that did not come through the gateway.
 * `requestId` is the gateway's id of this operation (header `x-request-id`); the token itself may
 * serve several operations of one caller, purpose and reason within its lifetime.
 */
export async function verifyInternalToken(token: string | undefined, audience: string, key: KeyLike | Uint8Array, requestId?: string): Promise<Caller> {
  if (!token) throw unauthenticated('This service only answers the Custodian gateway');
  const cached = verified.get(token);
  if (cached && cached.audience === audience && cached.validUntil > Date.now()) return { ...cached.caller, requestId: requestId ?? cached.caller.requestId };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [INTERNAL_ALGORITHM],
      issuer: INTERNAL_ISSUER,
      audience,
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: INTERNAL_TOKEN_TTL_SECONDS * 2,
      clockTolerance: 5,
    });
    const purpose = payload.purpose;
    const caller: Caller = {
      sub: String(payload.sub),
      name: typeof payload.name === 'string' ? payload.name : '',
      ori: typeof payload.ori === 'string' ? payload.ori : '',
      client: typeof payload.client === 'string' ? payload.client : null,
      scopes: parseScopes(payload.scope),
      purposes: parsePurposes(payload.purposes),
      purpose: isPurposeCode(purpose) ? purpose : null,
      reason: typeof payload.reason === 'string' ? payload.reason : null,
      requestId: requestId ?? (typeof payload.rid === 'string' ? payload.rid : 'unknown'),
    };
    // Verified once, trusted until shortly before it expires (the gateway reuses tokens for 30 s).
    verified.set(token, { caller, audience, validUntil: Math.min(Date.now() + 60_000, (payload.exp! - 5) * 1000) });
    return caller;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw unauthenticated('Internal token rejected');
    throw error;
  }
}
