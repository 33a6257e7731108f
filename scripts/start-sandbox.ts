import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { port, str } from 'envalid';
import { SUBGRAPH_NAMES } from '../access-policy/src';
import { ensureSandboxKeyPair, MODE_VARIABLE, modeFrom, projectPath, projectRoot, readEnv, SANDBOX_KEYS } from '../platform/src';
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
 * gateway in sandbox mode (it asks for it: CUSTODIAN_MODE=sandbox) as separate processes with
 * prefixed logs, restarting any that exits. Ctrl-C (or SIGTERM) stops them all.
 */
async function main(): Promise<void> {
  const env = readEnv({ PORT: port({ default: 4000 }), DATA_DIR: str({ default: 'data' }), NODE_ENV: str({ default: '' }) });
  // Every service would refuse a sandbox beside NODE_ENV=production: say so once, before seeding.
  modeFrom('sandbox', env.NODE_ENV);
  const dataDir = projectPath(env.DATA_DIR);
  const seedConfig = readSeedConfig();

  // Keys first, so that no two services race to create them.
  await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.internalToken);
  await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.devIssuer);

  const seed = () =>
    seedStores(seedConfig.store, {
      persons: seedConfig.persons,
      seedDate: seedConfig.seedDate,
      // The same key gives the same record ids on re-seeding (seed/src/record-ids.ts).
      idKey: seedConfig.idKey,
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
  console.log(
    result.seeded
      ? `[seed] seeded ${result.persons} persons, ${result.orders} orders, ${result.alerts} alerts`
      : `[seed] stores already seeded (${result.persons} persons)`,
  );

  const root = projectRoot();
  const services = new Map<string, Supervised>();
  let stopping = false;
  // Every service is asked for the sandbox by name: without CUSTODIAN_MODE it starts as production.
  const sandboxEnv = { ...process.env, DATA_DIR: dataDir, [MODE_VARIABLE]: 'sandbox' };
  const run = (service: string, script: string, extraEnv: Record<string, string>, nodeFlags: readonly string[] = []) => {
    services.set(
      service,
      supervise(
        service,
        () =>
          spawn(process.execPath, [...nodeFlags, join(root, 'dist', script)], {
            env: { ...sandboxEnv, ...extraEnv },
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        () => stopping,
      ),
    );
  };

  // Orders checks persons against criminal-history on the caller's behalf.
  const peers = { SUBGRAPH_URL_CRIMINAL_HISTORY: `http://127.0.0.1:${env.PORT + 1}/graphql` };
  SUBGRAPH_NAMES.forEach((name, i) => run(name, `subgraphs/${name}/src/main.js`, { ...peers, PORT: String(env.PORT + i + 1) }));
  run('gateway', 'gateway/src/main.js', { PORT: String(env.PORT) }, GATEWAY_NODE_FLAGS);
  console.log(`\nCustodian sandbox: http://localhost:${env.PORT}/  (GraphQL at /graphql; npm run -s token -- --list for personas)\n`);

  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    const running = [...services.values()].map((s) => s.stop());
    const deadline = setTimeout(() => {
      for (const s of services.values()) s.kill();
      process.exit(code);
    }, 10_000);
    deadline.unref();
    void Promise.all(running).then(() => process.exit(code));
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
}

/** A service the launcher keeps running. */
interface Supervised {
  /** SIGTERM, and no more restarts; resolves when it has exited. */
  stop(): Promise<void>;
  /** SIGKILL, for a service that would not stop. */
  kill(): void;
}

/** Restart delays: doubling from the first, up to the last; a service that ran this long starts the series over. */
const RESTART_FIRST_MS = 1000;
const RESTART_MAX_MS = 30_000;
const RESTART_RESET_AFTER_MS = 60_000;

/**
 * Runs a service and starts it again when it exits, after a delay that doubles with each quick
 * exit (a service that cannot start must not spin the machine). One subgraph crashing in the
 * sandbox leaves the others serving: the gateway answers with partial data until it is back.
 */
function supervise(service: string, start: () => ChildProcess, stopping: () => boolean): Supervised {
  let child: ChildProcess;
  let quickExits = 0;
  let pending: NodeJS.Timeout | null = null;
  const launch = () => {
    pending = null;
    const startedAt = Date.now();
    child = start();
    console.log(formatLogLine(service, `started (pid ${child.pid})`));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => console.log(formatLogLine(service, line)));
    }
    child.on('exit', (code, signal) => {
      if (stopping()) {
        console.log(formatLogLine(service, `exited (${signal ?? code})`));
        return;
      }
      quickExits = Date.now() - startedAt >= RESTART_RESET_AFTER_MS ? 0 : quickExits;
      const delay = Math.min(RESTART_FIRST_MS * 2 ** quickExits, RESTART_MAX_MS);
      quickExits++;
      console.log(formatLogLine(service, `exited (${signal ?? code}); restarting in ${delay / 1000} s (restart ${quickExits} in a row)`));
      pending = setTimeout(launch, delay);
    });
  };
  launch();
  return {
    stop() {
      if (pending) clearTimeout(pending);
      pending = null;
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      return exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

main().catch((error: Error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
