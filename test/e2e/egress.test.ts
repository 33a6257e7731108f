import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { findPersona } from '../../access-policy/src';
import { DevIssuer } from '../../gateway/src/dev-issuer/dev-issuer';
import { EXAMPLE_OPERATIONS } from '../../gateway/src/explorer/example-operations';
import { ensureSandboxKeyPair, projectRoot, SANDBOX_KEYS, SUBGRAPH_NAMES } from '../../platform/src';
import { LAUNCHER_SCRIPT } from '../support/launcher';
import { childProcessRunning, destinationsIn, startIsolated, type InsideRequest, type Isolated } from '../support/isolated-network';
import { dropTestDatabases, freshDatabase, POSTGRES_ADMIN_URL } from '../support/postgres';
import { STORE_KINDS, type StoreKind } from '../support/stack';

// Inside the namespace every port is free: the stack keeps npm start's own.
const PORT = 4000;
const REDIS_PORT = 6379;

/**
 * The environment the stack starts with: the test process's, minus the variables the code must
 * set or ask for itself. APOLLO_TELEMETRY_DISABLED is exported in the shells that run the tests;
 * a stack that inherited it would hide a gateway that does not turn the telemetry off itself.
 * Apollo's own reporting variables are set, as an operator's leftover environment might hold them.
 */
function stackEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['APOLLO_TELEMETRY_DISABLED', 'CUSTODIAN_MODE', 'NODE_ENV']) delete env[name];
  return {
    ...env,
    APOLLO_KEY: 'service:custodian-egress-test:not-a-real-key',
    APOLLO_GRAPH_REF: 'custodian@egress-test',
    APOLLO_SCHEMA_REPORTING: 'true',
    ...extra,
  };
}

/** A database URL that reaches PostgreSQL over its Unix socket: the namespace has no route to the host's 127.0.0.1. */
async function socketDatabaseUrl(): Promise<{ url: string; socket: string }> {
  const tcpUrl = new URL(await freshDatabase());
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL! });
  await admin.connect();
  try {
    const dir = String((await admin.query('SHOW unix_socket_directories')).rows[0].unix_socket_directories).split(',')[0].trim();
    return { url: `postgres://${tcpUrl.username}@${encodeURIComponent(dir)}${tcpUrl.pathname}`, socket: `${dir}/.s.PGSQL.${tcpUrl.port || 5432}` };
  } finally {
    await admin.end();
  }
}

describe.each(STORE_KINDS)('egress (%s): the whole stack opens connections only to its configured peers and stores', (store: StoreKind) => {
  let dataDir: string;
  let isolated: Isolated;
  let traceFile: string;
  // The subgraphs (the gateway's peers, and criminal-history orders' peer), Redis, and the PostgreSQL socket below.
  const allowed = new Set<string>([PORT + 1, PORT + 2, PORT + 3, REDIS_PORT].map((p) => `127.0.0.1:${p}`));
  const exercise: Array<{ name: string; request: InsideRequest; check: (status: number, text: string) => void }> = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-egress-'));
    traceFile = join(dataDir, 'connections.trace');
    await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.devIssuer);
    const issuer = await DevIssuer.open(dataDir, 'sandbox');
    let databaseUrl: Record<string, string> = {};
    if (store === 'postgres') {
      const db = await socketDatabaseUrl();
      databaseUrl = { DATABASE_URL: db.url };
      allowed.add(`unix ${db.socket}`);
    }

    const base = `http://127.0.0.1:${PORT}`;
    for (const path of ['/health/live', '/health/ready', '/', '/explorer/config']) {
      exercise.push({ name: `GET ${path}`, request: { url: base + path }, check: (status) => expect(status).toBe(200) });
    }
    for (const [i, name] of SUBGRAPH_NAMES.entries()) {
      exercise.push({ name: `${name} health`, request: { url: `http://127.0.0.1:${PORT + i + 1}/health/ready` }, check: (status) => expect(status).toBe(200) });
    }
    exercise.push({
      name: 'sandbox token',
      request: { url: `${base}/explorer/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"persona":"officer"}' },
      check: (status, text) => expect({ status, token: typeof JSON.parse(text).token }).toEqual({ status: 200, token: 'string' }),
    });
    for (const op of EXAMPLE_OPERATIONS) {
      const persona = findPersona(op.persona)!;
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${await issuer.sign(persona)}` };
      if (persona.defaultPurpose) headers['x-purpose-code'] = persona.defaultPurpose;
      if (persona.defaultReason) headers['x-reason'] = persona.defaultReason;
      exercise.push({
        name: op.title,
        request: { url: `${base}/graphql`, method: 'POST', headers, body: JSON.stringify({ query: op.query, variables: op.variables }) },
        check: (status, text) => expect({ status, data: JSON.parse(text).data != null }).toEqual({ status: 200, data: true }),
      });
    }
    exercise.push({
      name: 'a token that does not verify (lockout counters live in Redis)',
      request: { url: `${base}/graphql`, method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' }, body: '{"query":"{ __typename }"}' },
      check: (status) => expect(status).toBe(401),
    });

    isolated = startIsolated([process.execPath, LAUNCHER_SCRIPT], {
      env: stackEnvironment({ PORT: String(PORT), DATA_DIR: dataDir, SEED_PERSONS: '50', LOG_LEVEL: 'warn', REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`, ...databaseUrl }),
      traceFile,
      cwd: projectRoot(),
      setUp: `redis-server --port ${REDIS_PORT} --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir '${dataDir}' --pidfile '${join(dataDir, 'redis.pid')}'`,
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [ready] = await isolated.fetchInside([{ url: `${base}/health/ready` }]);
      if (ready.status === 200) break;
      if (Date.now() > deadline || isolated.child.exitCode !== null) throw new Error(`the stack did not become ready:\n${isolated.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 120_000);

  afterAll(async () => {
    if (isolated && isolated.child.exitCode === null) {
      const launcher = childProcessRunning(isolated.child.pid!, LAUNCHER_SCRIPT);
      if (launcher) process.kill(launcher, 'SIGTERM');
      await isolated.exited;
    }
    try {
      process.kill(Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8')), 'SIGTERM');
    } catch {
      // Redis never started
    }
    if (store === 'postgres') await dropTestDatabases();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves queries, health checks and the explorer, then stops: every destination is a configured peer or store', async () => {
    const answers = await isolated.fetchInside(exercise.map((e) => e.request));
    exercise.forEach((e, i) => {
      try {
        e.check(answers[i].status, answers[i].text);
      } catch (error) {
        throw new Error(`${e.name}: ${(error as Error).message}\n${answers[i].text.slice(0, 500)}`);
      }
    });
    // Graceful shutdown too: a reporting plugin flushes what it holds when the server stops.
    process.kill(childProcessRunning(isolated.child.pid!, LAUNCHER_SCRIPT)!, 'SIGTERM');
    expect(await isolated.exited).toBe(0);

    const destinations = destinationsIn(readFileSync(traceFile, 'utf8'));
    expect(destinations.filter((d) => !allowed.has(d))).toEqual([]);
    // The trace saw the stack at work, so an empty list above means something.
    expect(destinations).toEqual(expect.arrayContaining([...allowed]));
  }, 120_000);
});

describe('the connection trace', () => {
  it('sees @apollo/gateway reach for cloud metadata when constructed without APOLLO_TELEMETRY_DISABLED (the leak the gateway turns off)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-egress-control-'));
    const traceFile = join(dir, 'connections.trace');
    try {
      const construct = `const { ApolloGateway } = require('@apollo/gateway');
        new ApolloGateway({ supergraphSdl: require('fs').readFileSync('schema/supergraph.graphql', 'utf8') });
        setTimeout(() => process.exit(0), 3000);`;
      const isolated = startIsolated([process.execPath, '-e', construct], { env: stackEnvironment({}), traceFile, cwd: projectRoot() });
      expect(await isolated.exited).toBe(0);
      const destinations = destinationsIn(readFileSync(traceFile, 'utf8'));
      expect(destinations).toEqual(expect.arrayContaining(['169.254.169.254:80']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
