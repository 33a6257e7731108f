import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSandboxKeyPair, projectRoot, SANDBOX_KEYS } from '../platform/src';
import { natsServerConfig } from './nats-server-config';

/**
 * `npm run secrets`: creates ./secrets for docker-compose.yml — a PostgreSQL password, the
 * database URL using it, the Ed25519 key pair for internal tokens, and NATS's token with the
 * server configuration that asks for it. Never overwrites.
 */
async function main(): Promise<void> {
  const dir = join(projectRoot(), 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = join(dir, 'postgres_password');
  if (!existsSync(password)) {
    const secret = randomBytes(24).toString('base64url');
    writeFileSync(password, secret, { mode: 0o600 });
    writeFileSync(join(dir, 'database_url'), `postgres://custodian:${secret}@postgres:5432/custodian`, { mode: 0o600 });
  }
  // Same layout as the sandbox's keys, in ./secrets/keys; the compose file names them directly.
  const files = await ensureSandboxKeyPair(dir, SANDBOX_KEYS.internalToken);
  for (const [from, to] of [
    [files.privateFile, 'internal-token.private.jwk.json'],
    [files.publicFile, 'internal-token.public.jwk.json'],
  ]) {
    const target = join(dir, to);
    if (!existsSync(target)) writeFileSync(target, readFileSync(from), { mode: 0o600 });
  }
  const natsToken = join(dir, 'nats_token');
  if (!existsSync(natsToken)) {
    const token = randomBytes(24).toString('base64url');
    writeFileSync(natsToken, token, { mode: 0o600 });
    writeFileSync(join(dir, 'nats.conf'), natsServerConfig(token), { mode: 0o600 });
  }
  console.log(`secrets ready in ${dir}`);
}

main().catch((error: Error) => {
  console.error(`secrets: ${error.message}`);
  process.exit(1);
});
