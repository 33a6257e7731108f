import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPersona, INTERNAL_ALGORITHM, signInternalToken, SUBGRAPH_NAMES, type Caller, type PurposeCode, type SubgraphName } from '../../access-policy/src';
import { readGatewayConfig } from '../../gateway/src/config';
import { DevIssuer } from '../../gateway/src/dev-issuer/dev-issuer';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway/src/server';
import {
  createLogger,
  ensureSandboxKeyPair,
  importKey,
  projectRoot,
  readJwk,
  readSubgraphConfig,
  SANDBOX_KEYS,
  sandboxKeyFiles,
  type Clock,
  type StoreBase,
} from '../../platform/src';
import { serveSubgraph, type RunningSubgraph } from '../../platform/src/subgraph/serve-subgraph';
import { seedStores } from '../../seed/src/seed-stores';
import { SUBGRAPHS } from '../../subgraphs';
import { freePort } from './free-port';
import { freshDatabase, POSTGRES_ADMIN_URL } from './postgres';

/** The store engines a stack can run on. */
export type StoreKind = 'sqlite' | 'postgres';

/** The engines available in this run: SQLite always, PostgreSQL when it answered (see global-setup.ts). */
export const STORE_KINDS: StoreKind[] = POSTGRES_ADMIN_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** How a test wants its stack. */
export interface StackOptions {
  /** Real child processes (default), or the same servers inside the test process (store counters readable). */
  mode?: 'processes' | 'in-process';
  /** Persons to seed, fixtures included. @default 200 */
  persons?: number;
  /** Seed date T. @default now */
  seedDate?: Date;
  /** Extra environment for every service (processes mode) or for config reading (in-process); a function receives the stack's DATA_DIR. */
  env?: Record<string, string> | ((dataDir: string) => Record<string, string>);
  /** In-process only: the subgraphs' clock. */
  clock?: Clock;
  /** Skip seeding (the test seeds itself). */
  noSeed?: boolean;
  /** Where the stores live: SQLite under the stack's DATA_DIR (default), or a fresh PostgreSQL database. */
  store?: StoreKind;
  /** In-process only: options for the gateway (an audit store that fails, say). */
  gatewayOptions?: (dataDir: string) => Promise<GatewayOptions>;
  /** Ask for the sandbox (CUSTODIAN_MODE=sandbox: dev issuer, explorer); false starts production, which needs an identity provider. @default true */
  sandbox?: boolean;
}

/** What a test sees of a running stack. */
export interface Stack {
  readonly baseUrl: string;
  readonly gatewayUrl: string;
  /** The gateway's Prometheus endpoint (`/metrics` on METRICS_PORT). */
  readonly metricsUrl: string;
  readonly subgraphUrls: Record<SubgraphName, string>;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  /** In-process mode: the subgraphs' stores, to count statements. */
  readonly stores: Partial<Record<SubgraphName, StoreBase>>;
  /** A sandbox token for a persona. */
  token(persona: string): Promise<string>;
  /** POSTs a GraphQL operation to the gateway as a persona (with its default purpose and reason unless overridden). */
  query(persona: string | null, query: string, variables?: Record<string, unknown>, headers?: Record<string, string | undefined>): Promise<GraphQLResult>;
  /** An internal token for a subgraph, as the gateway would sign it. */
  internalToken(persona: string, subgraph: SubgraphName, purpose?: PurposeCode | null): Promise<string>;
  /** Stops one service (processes mode) to simulate an outage; resolves with its exit code (null when killed by a signal). */
  kill(service: SubgraphName | 'gateway', signal?: NodeJS.Signals): Promise<number | null>;
  /** Sends a signal without waiting (SIGSTOP freezes a service: it accepts connections and never answers; SIGCONT thaws it). */
  signal(service: SubgraphName | 'gateway', signal: NodeJS.Signals): void;
  /** Starts a stopped service again on its own port, and waits until the gateway is ready. */
  restart(service: SubgraphName | 'gateway'): Promise<void>;
  /** Starts one more gateway process (a replica) on the same subgraphs and stores; processes mode. */
  addGateway(): Promise<{ baseUrl: string; gatewayUrl: string; stop(signal?: NodeJS.Signals): Promise<void> }>;
  /** Output each service printed (processes mode), for diagnosing failures. */
  logs(service: SubgraphName | 'gateway'): string;
  /** Waits (up to 3 s: services buffer their log lines for up to 100 ms) until a service has logged a line containing `text`. */
  waitForLog(service: SubgraphName | 'gateway', text: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export interface GraphQLResult {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, any> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
    extensions?: unknown;
  };
  text: string;
}

async function waitForReady(url: string, timeoutMs: number, describe: () => string, exited: () => string | null = () => null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const dead = exited();
    if (dead) throw new Error(`${dead} exited before the stack was ready\n${describe()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      last = await res.text();
      if (res.ok) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${url}): ${last}\n${describe()}`);
}

/** POSTs a GraphQL request and parses the answer. */
export async function postGraphQL(url: string, payload: unknown, headers: Record<string, string | undefined> = {}): Promise<GraphQLResult> {
  const clean = Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...headers }).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const res = await fetch(url, { method: 'POST', headers: clean, body: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const text = await res.text();
  let body: GraphQLResult['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = {};
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * Starts a seeded stack on free ports with its own DATA_DIR: three subgraphs and the gateway,
 * talking real HTTP to each other. Default is separate processes from `dist/` (run `npm run
 * build` first; `npm test` does).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-test-'));
  const gatewayPort = await freePort();
  // Each gateway its own metrics port: the default (9464) is one per machine.
  const metricsPort = await freePort();
  const ports = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
  const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, `http://127.0.0.1:${ports[n]}/graphql`])) as Record<SubgraphName, string>;
  const databaseUrl = options.store === 'postgres' ? await freshDatabase() : null;
  const env: Record<string, string> = {
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    DATA_DIR: dataDir,
    // Unset, every service starts as production; the tests' personas sign with the dev issuer.
    CUSTODIAN_MODE: options.sandbox === false ? '' : 'sandbox',
    LOG_LEVEL: 'warn',
    // Tests send many requests, and many bad tokens, from one address: the limits get their own tests.
    LOCKOUT_ATTEMPTS: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    RATE_LIMIT_CLIENT_PER_MINUTE: '100000',
    METRICS_PORT: String(metricsPort),
    ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`SUBGRAPH_URL_${n.toUpperCase().replace(/-/g, '_')}`, subgraphUrls[n]])),
    ...(typeof options.env === 'function' ? options.env(dataDir) : options.env),
  };
  await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.internalToken);
  await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.devIssuer);
  if (!options.noSeed) {
    const url = env.DATABASE_URL;
    await seedStores(url ? { kind: 'postgres', url } : { kind: 'sqlite', dataDir }, { persons: options.persons ?? 200, seedDate: options.seedDate });
  }

  const children = new Map<string, ChildProcess>();
  const output = new Map<string, string[]>();
  const inProcess: { subgraphs: Partial<Record<SubgraphName, RunningSubgraph<StoreBase>>>; gateway?: RunningGateway } = { subgraphs: {} };
  const stores: Partial<Record<SubgraphName, StoreBase>> = {};

  const spawnService = (service: string, script: string, port: number, extraEnv: Record<string, string> = {}) => {
    const lines: string[] = [];
    output.set(service, lines);
    const child = spawn(process.execPath, [join(projectRoot(), 'dist', script)], {
      env: { ...process.env, ...env, ...extraEnv, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => lines.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => lines.push(d.toString()));
    children.set(service, child);
  };
  const logs = (service: string) => (output.get(service) ?? []).join('');
  const describe = () => [...output.keys()].map((s) => `--- ${s}\n${logs(s).slice(-2000)}`).join('\n');

  if ((options.mode ?? 'processes') === 'processes') {
    for (const name of SUBGRAPH_NAMES) spawnService(name, `subgraphs/${name}/src/main.js`, ports[name]);
    spawnService('gateway', 'gateway/src/main.js', gatewayPort);
  } else {
    const silent = createLogger('test', 'silent');
    const processEnv = { ...process.env, ...env };
    for (const name of SUBGRAPH_NAMES) {
      const config = readSubgraphConfig(name, { ...processEnv, PORT: String(ports[name]) });
      const running = await serveSubgraph(SUBGRAPHS[name] as never, config, { clock: options.clock, logger: silent });
      inProcess.subgraphs[name] = running;
      stores[name] = running.store;
    }
    const extra = options.gatewayOptions ? await options.gatewayOptions(dataDir) : {};
    inProcess.gateway = await startGateway(readGatewayConfig({ ...processEnv, PORT: String(gatewayPort) }), { logger: silent, ...extra });
  }
  const baseUrl = `http://127.0.0.1:${gatewayPort}`;
  try {
    await waitForReady(`${baseUrl}/health/ready`, 30_000, describe, () => [...children].find(([, c]) => c.exitCode !== null)?.[0] ?? null);
  } catch (error) {
    for (const c of children.values()) c.kill('SIGKILL');
    throw error;
  }

  const issuer = await DevIssuer.open(dataDir, 'sandbox');
  const tokens = new Map<string, string>();
  const token = async (persona: string) => {
    let t = tokens.get(persona);
    if (!t) {
      const p = findPersona(persona);
      if (!p) throw new Error(`unknown persona ${persona}`);
      t = await issuer.sign(p);
      tokens.set(persona, t);
    }
    return t;
  };
  const internalKey = await importKey(readJwk(sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken).privateFile), INTERNAL_ALGORITHM);

  return {
    baseUrl,
    gatewayUrl: `${baseUrl}/graphql`,
    metricsUrl: `http://127.0.0.1:${env.METRICS_PORT}/metrics`,
    subgraphUrls,
    dataDir,
    env,
    stores,
    token,
    async query(persona, query, variables, headers = {}) {
      const p = persona ? findPersona(persona) : undefined;
      const base: Record<string, string | undefined> = p
        ? { authorization: `Bearer ${await token(persona!)}`, 'x-purpose-code': p.defaultPurpose ?? undefined, 'x-reason': p.defaultReason ?? undefined }
        : {};
      return postGraphQL(`${baseUrl}/graphql`, { query, variables }, { ...base, ...headers });
    },
    async internalToken(persona, subgraph, purpose) {
      const p = findPersona(persona)!;
      const caller: Caller = {
        sub: p.sub,
        name: p.name,
        ori: p.ori,
        client: p.client,
        scopes: new Set(p.scopes),
        purposes: new Set(p.purposes),
        purpose: purpose === undefined ? p.defaultPurpose : purpose,
        reason: p.defaultReason,
        requestId: 'test-request',
      };
      return signInternalToken(caller, subgraph, internalKey);
    },
    async kill(service, signal = 'SIGKILL') {
      const child = children.get(service);
      if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      return exited;
    },
    signal(service, signal) {
      children.get(service)?.kill(signal);
    },
    async restart(service) {
      const port = service === 'gateway' ? gatewayPort : ports[service];
      spawnService(service, service === 'gateway' ? 'gateway/src/main.js' : `subgraphs/${service}/src/main.js`, port);
      await waitForReady(`${baseUrl}/health/ready`, 30_000, describe, () => (children.get(service)?.exitCode !== null ? service : null));
    },
    async addGateway() {
      const port = await freePort();
      const name = `gateway-${port}`;
      spawnService(name, 'gateway/src/main.js', port, { METRICS_PORT: String(await freePort()) });
      const url = `http://127.0.0.1:${port}`;
      await waitForReady(`${url}/health/ready`, 30_000, describe, () => (children.get(name)?.exitCode !== null ? name : null));
      return {
        baseUrl: url,
        gatewayUrl: `${url}/graphql`,
        stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
          const child = children.get(name)!;
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill(signal);
          await exited;
        },
      };
    },
    logs,
    async waitForLog(service, text) {
      for (let i = 0; i < 60; i++) {
        const line = logs(service)
          .split('\n')
          .find((l) => l.includes(text));
        if (line) return line;
        await new Promise((r) => setTimeout(r, 50));
      }
      return undefined;
    },
    async stop() {
      await inProcess.gateway?.stop();
      for (const s of Object.values(inProcess.subgraphs)) await s?.stop();
      await Promise.all(
        [...children.values()].map((c) => {
          if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
          const exited = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
          return exited.then(() => clearTimeout(timer));
        }),
      );
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
