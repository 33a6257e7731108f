import { SignJWT, type KeyLike } from 'jose';
import type { Persona } from '../../../access-policy/src';
import { ensureSandboxKeyPair, importKey, readJwk, SANDBOX_KEYS } from '../../../platform/src';
import { DEV_AUDIENCE, DEV_ISSUER } from '../config';

/** Lifetime of a sandbox token: a working day. */
export const DEV_TOKEN_TTL = '8h';

/**
 * The sandbox's stand-in for an agency identity provider: signs tokens for the personas of
 * docs/design.md §4 with a key kept under DATA_DIR. It refuses to exist in production mode.
 */
export class DevIssuer {
  private constructor(private readonly key: KeyLike | Uint8Array) {}

  /** Opens (creating if needed) the dev issuer's key. Throws in production. */
  static async open(dataDir: string, mode: 'sandbox' | 'production'): Promise<DevIssuer> {
    if (mode === 'production') throw new Error('the dev issuer is off in production (CUSTODIAN_MODE=sandbox asks for the sandbox)');
    const files = await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.devIssuer);
    return new DevIssuer(await importKey(readJwk(files.privateFile), SANDBOX_KEYS.devIssuer.alg));
  }

  /** A signed token for a persona, with the claims of docs/design.md §2. */
  sign(persona: Persona, ttl: string = DEV_TOKEN_TTL): Promise<string> {
    return new SignJWT({
      name: persona.name,
      ori: persona.ori,
      client: persona.client,
      scope: persona.scopes.join(' '),
      purposes: persona.purposes.join(' '),
    })
      .setProtectedHeader({ alg: SANDBOX_KEYS.devIssuer.alg, typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject(persona.sub)
      .setIssuedAt()
      .setExpirationTime(ttl)
      .sign(this.key);
  }
}
