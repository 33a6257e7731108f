import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { findPersona, SUBGRAPH_NAMES } from '../../access-policy/src';
import { DevIssuer } from '../../gateway/src/dev-issuer/dev-issuer';
import { EXAMPLE_OPERATIONS } from '../../gateway/src/explorer/example-operations';
import { GATEWAY_NODE_FLAGS } from '../../gateway/src/gateway-node-flags';
import { ensureSandboxKeyPair, projectRoot, SANDBOX_KEYS, sandboxKeyFiles } from '../../platform/src';
import { seedStores } from '../../seed/src/seed-stores';
import { LAUNCHER_SCRIPT } from '../support/launcher';
import { childProcessRunning, destinationsIn, startIsolated, type InsideRequest, type Isolated } from '../support/isolated-network';
import { dropTestDatabases, freshDatabase, POSTGRES_ADMIN_URL } from '../support/postgres';
import { STORE_KINDS, type StoreKind } from '../support/stack';
import { fakeIdentityProvider } from '../support/tokens';

// Inside the namespace every port is free: the stack keeps npm start's own.
const PORT = 4000;
const REDIS_PORT = 6379;
const IDP_PORT = 8443;
const BASE = `http://127.0.0.1:${PORT}`;

/** One request of the exercise and what its answer must be. */
type Step = { name: string; request: InsideRequest; check: (status: number, text: string) => void };

/**
 * What the stack is put through: health checks of every service, every example operation of the
 * explorer as its persona (every subgraph, the audit, a search, an order), and a token that does
 * not verify (lockout counters live in Redis).
 */
async function commonSteps(tokenFor: (persona: string) => Promise<string>): Promise<Step[]> {
  const steps: Step[] = [];
  for (const path of ['/health/live', '/health/ready'])
    steps.push({ name: `GET ${path}`, request: { url: BASE + path }, check: (status) => expect(status).toBe(200) });
  for (const [i, name] of SUBGRAPH_NAMES.entries()) {
    steps.push({ name: `${name} health`, request: { url: `http://127.0.0.1:${PORT + i + 1}/health/ready` }, check: (status) => expect(status).toBe(200) });
  }
  // Subscriptions run over a WebSocket, not POST: the egress of their feed is the orders service's.
  for (const op of EXAMPLE_OPERATIONS.filter((e) => !e.query.trim().startsWith('subscription'))) {
    const persona = findPersona(op.persona)!;
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(op.persona)}` };
    if (persona.defaultPurpose) headers['x-purpose-code'] = persona.defaultPurpose;
    if (persona.defaultReason) headers['x-reason'] = persona.defaultReason;
    steps.push({
      name: op.title,
      request: { url: `${BASE}/graphql`, method: 'POST', headers, body: JSON.stringify({ query: op.query, variables: op.variables }) },
      check: (status, text) => expect({ status, data: JSON.parse(text).data != null }).toEqual({ status: 200, data: true }),
    });
  }
  steps.push({
    name: 'a token that does not verify',
    request: {
      url: `${BASE}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
      body: '{"query":"{ __typename }"}',
    },
    check: (status) => expect(status).toBe(401),
  });
  return steps;
}

/** Runs the steps from inside the namespace and checks every answer, naming the step that failed. */
async function runSteps(isolated: Isolated, steps: Step[]): Promise<void> {
  const answers = await isolated.fetchInside(steps.map((e) => e.request));
  steps.forEach((e, i) => {
    try {
      e.check(answers[i].status, answers[i].text);
    } catch (error) {
      throw new Error(`${e.name}: ${(error as Error).message}\n${answers[i].text.slice(0, 500)}`, { cause: error });
    }
  });
}

/** Polls the gateway's readiness from inside the namespace. */
async function waitUntilReady(isolated: Isolated): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const [ready] = await isolated.fetchInside([{ url: `${BASE}/health/ready` }]);
    if (ready.status === 200) return;
    if (Date.now() > deadline || isolated.child.exitCode !== null) throw new Error(`the stack did not become ready:\n${isolated.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Stops a process started in the namespace's set-up, by the pid file it wrote. */
function stopByPidFile(file: string): void {
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 'SIGTERM');
  } catch {
    // it never started
  }
}

/** Redis inside the namespace (outside the trace): the gateway's configured rate-limit store. */
const redisSetUp = (dir: string) =>
  `redis-server --port ${REDIS_PORT} --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir '${dir}' --pidfile '${join(dir, 'redis.pid')}'`;

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
async function socketDatabaseUrl(): Promise<{ url: string; socket: string; tcpUrl: string }> {
  const tcpUrl = new URL(await freshDatabase());
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL! });
  await admin.connect();
  try {
    const dir = String((await admin.query('SHOW unix_socket_directories')).rows[0].unix_socket_directories)
      .split(',')[0]
      .trim();
    return {
      url: `postgres://${tcpUrl.username}@${encodeURIComponent(dir)}${tcpUrl.pathname}`,
      socket: `${dir}/.s.PGSQL.${tcpUrl.port || 5432}`,
      tcpUrl: tcpUrl.toString(),
    };
  } finally {
    await admin.end();
  }
}

describe.each(STORE_KINDS)(
  'egress, sandbox under npm start (%s): the whole stack opens connections only to its configured peers and stores',
  (store: StoreKind) => {
    let dataDir: string;
    let isolated: Isolated;
    let traceFile: string;
    // The subgraphs (the gateway's peers, and criminal-history orders' peer), Redis, and the PostgreSQL socket below.
    const allowed = new Set<string>([PORT + 1, PORT + 2, PORT + 3, REDIS_PORT].map((p) => `127.0.0.1:${p}`));
    const steps: Step[] = [];

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

      steps.push(...(await commonSteps(async (persona) => issuer.sign(findPersona(persona)!))));
      for (const path of ['/', '/explorer/config'])
        steps.push({ name: `GET ${path}`, request: { url: BASE + path }, check: (status) => expect(status).toBe(200) });
      steps.push({
        name: 'sandbox token',
        request: { url: `${BASE}/explorer/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"persona":"officer"}' },
        check: (status, text) => expect({ status, token: typeof JSON.parse(text).token }).toEqual({ status: 200, token: 'string' }),
      });

      isolated = startIsolated([process.execPath, LAUNCHER_SCRIPT], {
        env: stackEnvironment({
          PORT: String(PORT),
          DATA_DIR: dataDir,
          SEED_PERSONS: '50',
          LOG_LEVEL: 'warn',
          REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
          ...databaseUrl,
        }),
        traceFile,
        cwd: projectRoot(),
        setUp: redisSetUp(dataDir),
      });
      await waitUntilReady(isolated);
    }, 120_000);

    afterAll(async () => {
      if (isolated && isolated.child.exitCode === null) {
        const launcher = childProcessRunning(isolated.child.pid!, LAUNCHER_SCRIPT);
        if (launcher) process.kill(launcher, 'SIGTERM');
        await isolated.exited;
      }
      stopByPidFile(join(dataDir, 'redis.pid'));
      if (store === 'postgres') await dropTestDatabases();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves queries, health checks and the explorer, then stops: every destination is a configured peer or store', async () => {
      await runSteps(isolated, steps);
      // Graceful shutdown too: a reporting plugin flushes what it holds when the server stops.
      process.kill(childProcessRunning(isolated.child.pid!, LAUNCHER_SCRIPT)!, 'SIGTERM');
      expect(await isolated.exited).toBe(0);

      const destinations = destinationsIn(readFileSync(traceFile, 'utf8'));
      expect(destinations.filter((d) => !allowed.has(d))).toEqual([]);
      // The trace saw the stack at work, so an empty list above means something.
      expect(destinations).toEqual(expect.arrayContaining([...allowed]));
    }, 120_000);
  },
);

describe.each(STORE_KINDS)(
  'egress, production (%s): the services open connections only to their peers, stores, Redis and the identity provider',
  (store: StoreKind) => {
    const ISSUER = 'https://idp.agency.example';
    const AUDIENCE = 'custodian-api';
    let dataDir: string;
    let isolated: Isolated;
    let traceFile: string;
    const steps: Step[] = [];
    const allowed = new Set<string>([PORT + 1, PORT + 2, PORT + 3, REDIS_PORT, IDP_PORT].map((p) => `127.0.0.1:${p}`));
    const scripts: Array<[port: number, flags: readonly string[], script: string]> = [
      ...SUBGRAPH_NAMES.map((name, i): [number, readonly string[], string] => [PORT + i + 1, [], `dist/subgraphs/${name}/src/main.js`]),
      [PORT, GATEWAY_NODE_FLAGS, 'dist/gateway/src/main.js'],
    ];

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'custodian-egress-'));
      traceFile = join(dataDir, 'connections.trace');
      let databaseUrl: Record<string, string> = {};
      if (store === 'postgres') {
        const db = await socketDatabaseUrl();
        databaseUrl = { DATABASE_URL: db.url };
        allowed.add(`unix ${db.socket}`);
        await seedStores({ kind: 'postgres', url: db.tcpUrl }, { persons: 50 });
      } else {
        await seedStores({ kind: 'sqlite', dataDir }, { persons: 50 });
      }
      // The operator's keys; an identity provider serving its JWKS over https, as production requires.
      await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.internalToken);
      const keys = sandboxKeyFiles(dataDir, SANDBOX_KEYS.internalToken);
      const idp = await fakeIdentityProvider(ISSUER, AUDIENCE);
      writeFileSync(join(dataDir, 'jwks.json'), JSON.stringify(idp.jwks));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dataDir, 'idp-key.pem'),
          '-out',
          join(dataDir, 'idp-cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const idpServer = `const fs = require('fs');
      require('https').createServer({ key: fs.readFileSync('${join(dataDir, 'idp-key.pem')}'), cert: fs.readFileSync('${join(dataDir, 'idp-cert.pem')}') },
        (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(fs.readFileSync('${join(dataDir, 'jwks.json')}'))).listen(${IDP_PORT}, '127.0.0.1');
      fs.writeFileSync('${join(dataDir, 'idp.pid')}', String(process.pid));`;

      steps.push(
        ...(await commonSteps(async (persona) => {
          const p = findPersona(persona)!;
          return idp.sign({ sub: p.sub, name: p.name, ori: p.ori, client: p.client, scope: p.scopes.join(' '), purposes: p.purposes.join(' ') });
        })),
      );
      for (const path of ['/', '/explorer/config'])
        steps.push({ name: `GET ${path} (no explorer)`, request: { url: BASE + path }, check: (status) => expect(status).toBe(404) });

      // Each service as the image runs it (`node dist/<entry>`), in the background of one traced shell.
      const start = scripts
        .map(([port, flags, script]) => `PORT=${port} node ${flags.join(' ')} ${script} & echo $! >> '${join(dataDir, 'services.pid')}'`)
        .join('\n');
      isolated = startIsolated(['sh', '-c', `${start}\nwait`], {
        env: stackEnvironment({
          NODE_ENV: 'production',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
          AUTH_JWKS_URL: `https://127.0.0.1:${IDP_PORT}/jwks.json`,
          AUTH_ISSUER: ISSUER,
          AUTH_AUDIENCE: AUDIENCE,
          NODE_EXTRA_CA_CERTS: join(dataDir, 'idp-cert.pem'),
          INTERNAL_TOKEN_PRIVATE_KEY_FILE: keys.privateFile,
          INTERNAL_TOKEN_PUBLIC_KEY_FILE: keys.publicFile,
          ...databaseUrl,
        }),
        traceFile,
        cwd: projectRoot(),
        // setsid -f: the identity provider must not be a child of the shell that becomes strace, which waits for every child.
        setUp: `${redisSetUp(dataDir)}\nsetsid -f ${process.execPath} -e "${idpServer.replace(/"/g, '\\"')}"`,
      });
      await waitUntilReady(isolated);
    }, 120_000);

    afterAll(async () => {
      const pids = () => readFileSync(join(dataDir, 'services.pid'), 'utf8').split('\n').filter(Boolean).map(Number);
      if (isolated && isolated.child.exitCode === null) {
        for (const pid of pids()) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already stopped
          }
        }
        await Promise.race([isolated.exited, new Promise((r) => setTimeout(r, 20_000))]);
        isolated.child.kill('SIGKILL');
      }
      stopByPidFile(join(dataDir, 'redis.pid'));
      stopByPidFile(join(dataDir, 'idp.pid'));
      if (store === 'postgres') await dropTestDatabases();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("serves the identity provider's callers and health checks, then stops: every destination is a peer, a store, Redis or the identity provider", async () => {
      await runSteps(isolated, steps);
      for (const pid of readFileSync(join(dataDir, 'services.pid'), 'utf8').split('\n').filter(Boolean).map(Number)) process.kill(pid, 'SIGTERM');
      expect(await isolated.exited).toBe(0);

      const destinations = destinationsIn(readFileSync(traceFile, 'utf8'));
      expect(destinations.filter((d) => !allowed.has(d))).toEqual([]);
      expect(destinations).toEqual(expect.arrayContaining([...allowed]));
    }, 120_000);
  },
);

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
