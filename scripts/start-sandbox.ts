import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { port, str } from 'envalid';
import { ensureSandboxKeyPair, projectPath, projectRoot, readEnv, SANDBOX_KEYS, SUBGRAPH_NAMES } from '../platform/src';
import { readSeedConfig } from '../seed/src/seed-config';
import { PartialSeedError, resetRecordStores, seedStores } from '../seed/src/seed-stores';
import { GATEWAY_NODE_FLAGS } from '../gateway/src/gateway-node-flags';

const COLOURS: Record<string, string> = { gateway: '\x1b[36m', 'criminal-history': '\x1b[35m', orders: '\x1b[33m', alerts: '\x1b[32m' };
const RESET = '\x1b[0m';
const useColour = process.stdout.isTTY;

/** Turns a service's JSON log line into `[service] 12:00:01 INFO message key=value`. */
export function formatLogLine(service: string, line: string): string {
  const tag = useColour ? `${COLOURS[service] ?? ''}[${service}]${RESET}` : `[${service}]`;
  try {
    const { time, level, msg, service: _s, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extras = Object.entries(rest)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const clock = typeof time === 'string' ? time.slice(11, 19) : '';
    return `${tag} ${clock} ${String(level).toUpperCase()} ${String(msg)}${extras ? ' ' + extras : ''}`;
  } catch {
    return `${tag} ${line}`;
  }
}

/**
 * `npm start`: seeds the embedded stores when empty, then runs the three subgraphs and the
 * gateway as separate processes with prefixed logs. Ctrl-C (or SIGTERM) stops them all.
 */
async function main(): Promise<void> {
  const env = readEnv({ PORT: port({ default: 4000 }), DATA_DIR: str({ default: 'data' }), NODE_ENV: str({ default: 'development' }) });
  const dataDir = projectPath(env.DATA_DIR);
  const seedConfig = readSeedConfig();

  // Keys first, so that no two services race to create them.
  await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.internalToken);
  if (env.NODE_ENV !== 'production') await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.devIssuer);

  const seed = () =>
    seedStores(seedConfig.store, {
      persons: seedConfig.persons,
      seedDate: seedConfig.seedDate,
      onProgress: (done, total) => console.log(`[seed] ${done}/${total} persons`),
    });
  let result;
  try {
    result = await seed();
  } catch (error) {
    if (!(error instanceof PartialSeedError)) throw error;
    console.log('[seed] an earlier seed did not finish; starting the synthetic data again');
    await resetRecordStores(seedConfig.store);
    result = await seed();
  }
  console.log(result.seeded ? `[seed] seeded ${result.persons} persons, ${result.orders} orders, ${result.alerts} alerts` : `[seed] stores already seeded (${result.persons} persons)`);

  const root = projectRoot();
  const children: ChildProcess[] = [];
  const run = (service: string, script: string, extraEnv: Record<string, string>, nodeFlags: readonly string[] = []) => {
    const child = spawn(process.execPath, [...nodeFlags, join(root, 'dist', script)], {
      env: { ...process.env, DATA_DIR: dataDir, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => console.log(formatLogLine(service, line)));
    }
    child.on('exit', (code, signal) => {
      console.log(formatLogLine(service, `exited (${signal ?? code})`));
      if (!stopping) shutdown(1);
    });
    children.push(child);
  };

  // Orders checks persons against criminal-history on the caller's behalf.
  const peers = { SUBGRAPH_URL_CRIMINAL_HISTORY: `http://127.0.0.1:${env.PORT + 1}/graphql` };
  SUBGRAPH_NAMES.forEach((name, i) => run(name, `subgraphs/${name}/src/main.js`, { ...peers, PORT: String(env.PORT + i + 1) }));
  run('gateway', 'gateway/src/main.js', { PORT: String(env.PORT) }, GATEWAY_NODE_FLAGS);
  console.log(`\nCustodian sandbox: http://localhost:${env.PORT}/  (GraphQL at /graphql; npm run -s token -- --list for personas)\n`);

  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const deadline = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      process.exit(code);
    }, 10_000);
    deadline.unref();
    Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() => process.exit(code));
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
}

main().catch((error: Error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
