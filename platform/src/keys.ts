import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The key pairs the sandbox generates for itself under `<DATA_DIR>/keys`. */
export const SANDBOX_KEYS = {
  /** Gateway → subgraph internal tokens. */
  internalToken: { name: 'internal-token', alg: 'EdDSA' },
  /** The sandbox's stand-in for an agency identity provider. */
  devIssuer: { name: 'dev-issuer', alg: 'ES256' },
} as const;

export type SandboxKey = (typeof SANDBOX_KEYS)[keyof typeof SANDBOX_KEYS];

export interface KeyFiles {
  privateFile: string;
  publicFile: string;
}

/** Paths of one sandbox key pair. */
export function sandboxKeyFiles(dataDir: string, key: SandboxKey): KeyFiles {
  return {
    privateFile: join(dataDir, 'keys', `${key.name}.private.jwk.json`),
    publicFile: join(dataDir, 'keys', `${key.name}.public.jwk.json`),
  };
}

/**
 * Creates a sandbox key pair if it does not exist yet. Several processes may start at once:
 * each writes to its own temporary file and links it into place, so exactly one pair wins and
 * everyone reads that one.
 */
export async function ensureSandboxKeyPair(dataDir: string, key: SandboxKey): Promise<KeyFiles> {
  const files = sandboxKeyFiles(dataDir, key);
  if (existsSync(files.privateFile) && existsSync(files.publicFile)) return files;
  mkdirSync(dirname(files.privateFile), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = await generateKeyPair(key.alg, { extractable: true, crv: key.alg === 'EdDSA' ? 'Ed25519' : undefined });
  const kid = `${key.name}-${Date.now().toString(36)}`;
  const priv = { ...(await exportJWK(privateKey)), alg: key.alg, kid, use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), alg: key.alg, kid, use: 'sig' };
  const tmp = `${files.privateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(priv), { mode: 0o600 });
  try {
    linkSync(tmp, files.privateFile);
    writeFileSync(files.publicFile, JSON.stringify(pub));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process won; wait for its public half.
    for (let i = 0; i < 50 && !existsSync(files.publicFile); i++) await new Promise((r) => setTimeout(r, 20));
  } finally {
    unlinkSync(tmp);
  }
  return files;
}

/** Reads a JWK from a file. */
export function readJwk(file: string): JWK {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    throw new Error(`cannot read key file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Imports a JWK for one pinned algorithm; refuses a key made for another. */
export async function importKey(jwk: JWK, alg: string): Promise<KeyLike | Uint8Array> {
  if (jwk.alg && jwk.alg !== alg) throw new Error(`key is for ${jwk.alg}, expected ${alg}`);
  return importJWK({ ...jwk, alg }, alg);
}
