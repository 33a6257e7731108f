import { jwtVerify, errors as joseErrors, type KeyLike } from 'jose';
import type { Caller } from './caller';
import { unauthenticated } from './error-codes';
import { INTERNAL_ALGORITHM, INTERNAL_ISSUER, INTERNAL_TOKEN_TTL_SECONDS } from './internal-token-sign';
import { isPurposeCode, parsePurposes } from './purposes';
import { parseScopes } from './scopes';

/** Header that carries the internal token from the gateway to subgraphs. */
export const INTERNAL_TOKEN_HEADER = 'x-custodian-internal-token';

/**
 * Verifies an internal token for this subgraph and returns the caller it carries. Anything
 * wrong — missing, foreign key, other audience, expired, edited — is UNAUTHENTICATED: a
 * subgraph serves nothing, not even its SDL, to a call that did not come through the gateway.
 */
export async function verifyInternalToken(
  token: string | undefined,
  audience: string,
  key: KeyLike | Uint8Array,
): Promise<Caller> {
  if (!token) throw unauthenticated('This service only answers the Custodian gateway');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [INTERNAL_ALGORITHM],
      issuer: INTERNAL_ISSUER,
      audience,
      requiredClaims: ['exp', 'iat', 'sub', 'rid'],
      maxTokenAge: INTERNAL_TOKEN_TTL_SECONDS * 2,
      clockTolerance: 5,
    });
    const purpose = payload.purpose;
    return {
      sub: String(payload.sub),
      name: typeof payload.name === 'string' ? payload.name : '',
      ori: typeof payload.ori === 'string' ? payload.ori : '',
      client: typeof payload.client === 'string' ? payload.client : null,
      scopes: parseScopes(payload.scope),
      purposes: parsePurposes(payload.purposes),
      purpose: isPurposeCode(purpose) ? purpose : null,
      reason: typeof payload.reason === 'string' ? payload.reason : null,
      requestId: String(payload.rid),
    };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw unauthenticated('Internal token rejected');
    throw error;
  }
}
