import { composeServices } from '@apollo/composition';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPersona, SUBGRAPH_NAMES, type SubgraphName } from '../access-policy/src';
import { GATEWAY_NODE_FLAGS } from '../gateway/src/gateway-node-flags';
import { ensureSandboxKeyPair, projectRoot, SANDBOX_KEYS } from '../platform/src';
import { AUDIT_SUBGRAPH, AUDIT_SUBGRAPH_URL, loadSubgraphSdl } from '../schema/subgraphs';
import { seedStores } from '../seed/src/seed-stores';
import { runLoad, type LoadResult, type OrderPool, type Target } from './lib/load';
import { cpuMs, peakRssMiB, pinSelf, profileInto, startPinned, stopAll, waitFor, type BenchProcess } from './lib/processes';
import { environment, median, table, type RunRow } from './lib/report';
import { runScale, scaleOptionsFrom } from './lib/scale';
import { wideSearch, WORKLOADS, type BenchRequest } from './lib/workloads';

const quick = process.argv.includes('--quick');
// Five rounds in a full run: this shared host's speed drifts by tens of percent over minutes, and
// a median of five (of the per-round ratios too) withstands one or two slow phases; three did not.
const PLAN = quick
  ? { rounds: 1, seconds: 2, warmupSeconds: 2, connections: [10], rateRuns: false }
  : { rounds: 5, seconds: 5, warmupSeconds: 4, connections: [1, 10, 50], rateRuns: true };
/** `--workloads 1,3` and `--configs a,d-rust` narrow a run while working on one figure. */
const listArg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1].split(',') : null;
};
const onlyWorkloads = listArg('--workloads');
const numberArg = (name: string) => (listArg(name) ? Number(listArg(name)![0]) : null);
if (numberArg('--rounds')) PLAN.rounds = numberArg('--rounds')!;
if (numberArg('--seconds')) PLAN.seconds = numberArg('--seconds')!;
/** `--connections 1` measures one request at a time: CPU per request without queueing, for profiles. */
if (listArg('--connections')) PLAN.connections = listArg('--connections')!.map(Number);
const onlyConfigs = listArg('--configs');
const profile = listArg('--profile');
if (profile) profileInto(profile[0]);
const ISSUER = 'https://idp.bench.example';
const AUDIENCE = 'custodian-bench';
const BASE = 5200;
const root = projectRoot();
const dist = (p: string) => join(root, 'dist', p);

interface Config {
  id: string;
  label: string;
  front: () => BenchProcess;
  subgraphs: () => BenchProcess[];
  target: Target;
}

/** Where every configuration runs: the front (gateway) on core 0, subgraphs and the load on core 1. */
async function main(): Promise<void> {
  const startedAt = new Date();
  if (!pinSelf(1)) console.warn('taskset is missing: processes are not pinned to cores');
  const dataDir = join(root, 'bench', '.data');
  mkdirSync(dataDir, { recursive: true });

  // Hive Gateway lives in its own folder so its dependencies never enter Custodian's.
  const hiveDir = join(root, 'bench', 'hive');
  if (!existsSync(join(hiveDir, 'node_modules', '@graphql-hive', 'gateway-runtime'))) {
    console.log('installing Hive Gateway for the comparison (bench/hive)…');
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: hiveDir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm install in bench/hive failed');
  }

  // Each run starts from the same stores: freshly seeded records (the orders workload 4 issues
  // and modifies must not pile up on the persons workload 3 returns) and an empty audit log.
  // Gateway (b) keeps its own audit folder (it writes none, but opens one as every gateway does).
  for (const dir of [dataDir, join(dataDir, 'gateway-b')]) {
    for (const store of ['criminal-history', 'orders', 'alerts', 'audit']) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `${store}.sqlite${suffix}`), { force: true });
    }
  }
  mkdirSync(join(dataDir, 'gateway-b'), { recursive: true });

  console.log('seeding bench data (10,000 persons)…');
  await seedStores({ kind: 'sqlite', dataDir }, { persons: 10_000 });
  const keys = await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.internalToken);

  // A stand-in identity provider: production mode takes tokens only from a JWKS.
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwksFile = join(dataDir, 'bench-jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] }));
  const tokens: Record<string, string> = {};
  for (const name of ['officer', 'employment-screener', 'court-clerk'] as const) {
    const p = findPersona(name)!;
    tokens[name] = await new SignJWT({ name: p.name, ori: p.ori, client: p.client, scope: p.scopes.join(' '), purposes: p.purposes.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(p.sub)
      .setIssuedAt()
      .setExpirationTime('4h')
      .sign(privateKey);
  }
  const bearer = (persona: BenchRequest['persona']) => ({ authorization: `Bearer ${tokens[persona]}` });

  const subgraphUrls = (offset: number) =>
    Object.fromEntries(SUBGRAPH_NAMES.map((n, i) => [n, `http://127.0.0.1:${BASE + offset + i + 1}/graphql`])) as Record<SubgraphName, string>;
  const urlsA = subgraphUrls(0);
  const urlsB = subgraphUrls(20);
  const composed = composeServices([
    ...SUBGRAPH_NAMES.map((name) => ({ name, url: urlsA[name], typeDefs: loadSubgraphSdl(name) })),
    { name: AUDIT_SUBGRAPH, url: AUDIT_SUBGRAPH_URL, typeDefs: loadSubgraphSdl(AUDIT_SUBGRAPH) },
  ]);
  if (composed.errors) throw new Error('composition failed');
  const supergraphFile = join(dataDir, 'bench-supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);

  const common = { NODE_ENV: 'production', DATA_DIR: dataDir, LOG_LEVEL: 'info', HOST: '127.0.0.1' };
  const subgraphEnv = { ...common, INTERNAL_TOKEN_PUBLIC_KEY_FILE: keys.publicFile };
  const gatewayEnv = {
    ...common,
    AUTH_JWKS_FILE: jwksFile,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_ALGORITHMS: 'ES256',
    INTERNAL_TOKEN_PRIVATE_KEY_FILE: keys.privateFile,
    RATE_LIMIT_USER_PER_MINUTE: '100000000',
    RATE_LIMIT_CLIENT_PER_MINUTE: '100000000',
    SCREENING_DAILY_QUOTA: '100000000',
  };
  const urlEnv = (urls: Record<SubgraphName, string>) => ({
    SUBGRAPH_URL_CRIMINAL_HISTORY: urls['criminal-history'],
    SUBGRAPH_URL_ORDERS: urls.orders,
    SUBGRAPH_URL_ALERTS: urls.alerts,
  });

  const procs: BenchProcess[] = [];
  const start = (name: string, core: number, args: string[], env: NodeJS.ProcessEnv) => {
    const p = startPinned(name, core, args, env);
    procs.push(p);
    return p;
  };
  const startSubgraphs = (tag: string, offset: number, urls: Record<SubgraphName, string>, extra: NodeJS.ProcessEnv) =>
    SUBGRAPH_NAMES.map((name, i) =>
      start(`${name}-${tag}`, 1, [dist('bench/entries/subgraph.js'), name], {
        ...subgraphEnv,
        ...urlEnv(urls),
        ...extra,
        PORT: String(BASE + offset + i + 1),
        BENCH_STATS_PORT: String(BASE + offset + 11 + i),
      }),
    );

  try {
    const subA = startSubgraphs('a', 0, urlsA, {});
    const subB = startSubgraphs('b', 20, urlsB, { BENCH_WITHOUT_SHIELD: '1' });
    const gwA = start('gateway-a', 0, [...GATEWAY_NODE_FLAGS, dist('bench/entries/gateway.js')], { ...gatewayEnv, ...urlEnv(urlsA), PORT: String(BASE) });
    const gwB = start('gateway-b', 0, [...GATEWAY_NODE_FLAGS, dist('bench/entries/gateway.js')], {
      ...gatewayEnv,
      ...urlEnv(urlsB),
      PORT: String(BASE + 20),
      BENCH_WITHOUT_AUDIT: '1',
      DATA_DIR: join(dataDir, 'gateway-b'),
    });
    const mono = start('monolith', 0, [dist('bench/entries/monolith.js'), String(BASE + 40)], { ...common });
    const hiveJs = start('hive-js', 0, [join(hiveDir, 'hive-entry.mjs'), String(BASE + 50), supergraphFile, keys.privateFile, 'js'], {});
    const hiveRust = start('hive-rust', 0, [join(hiveDir, 'hive-entry.mjs'), String(BASE + 60), supergraphFile, keys.privateFile, 'rust'], {});
    for (const url of [`http://127.0.0.1:${BASE}/health/ready`, `http://127.0.0.1:${BASE + 20}/health/ready`]) await waitFor(url, procs);
    const post = (port: number) => `http://127.0.0.1:${port}/graphql`;
    const typename = { method: 'POST', headers: { 'content-type': 'application/json', ...bearer('officer') }, body: '{"query":"{ __typename }"}' };
    for (const port of [BASE + 40, BASE + 50, BASE + 60]) await waitFor(post(port), procs, 60_000, typename);

    const configs: Config[] = [
      { id: 'a', label: '(a) Custodian', front: () => gwA, subgraphs: () => subA, target: { url: post(BASE), headersFor: bearer } },
      { id: 'b', label: '(b) no shield, no audit', front: () => gwB, subgraphs: () => subB, target: { url: post(BASE + 20), headersFor: bearer } },
      {
        id: 'c',
        label: '(c) monolith',
        front: () => mono,
        subgraphs: () => [],
        target: { url: post(BASE + 40), headersFor: (persona) => ({ 'x-bench-persona': persona }) },
      },
      { id: 'd-js', label: '(d) Hive, JS planner', front: () => hiveJs, subgraphs: () => subA, target: { url: post(BASE + 50), headersFor: bearer } },
      { id: 'd-rust', label: '(d) Hive, Rust planner', front: () => hiveRust, subgraphs: () => subA, target: { url: post(BASE + 60), headersFor: bearer } },
    ];

    // Each configuration modifies its own orders in workload 4, so versions never collide.
    const issue = async (i: number) => {
      const res = await fetch(post(BASE), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer('court-clerk'), 'x-purpose-code': 'D', 'x-reason': 'FL-BENCH-SETUP' },
        body: JSON.stringify({
          query: 'mutation($i: IssueProtectiveOrderInput!) { issueProtectiveOrder(input: $i) { id version } }',
          variables: {
            i: {
              caseNumber: `FL-BENCH-${i}`,
              court: 'LOS ANGELES SUPERIOR COURT',
              type: 'DVRO',
              restrainedPersonId: `A${10000100 + i}`,
              protectedParties: [{ name: { last: 'BENCH', first: 'PARTY' }, relationship: 'OTHER' }],
              terms: { noContact: true, stayAwayYards: 100, firearmsProhibited: true },
              expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString(),
            },
          },
        }),
      });
      const body = (await res.json()) as { data?: { issueProtectiveOrder: { id: string; version: number } } };
      if (!body.data?.issueProtectiveOrder) throw new Error(`could not issue a bench order: ${JSON.stringify(body)}`);
      return body.data.issueProtectiveOrder;
    };
    const pools = new Map<string, OrderPool>();
    let orderNo = 0;
    for (const c of configs) {
      const pool: OrderPool = { ids: [], versions: new Map() };
      for (let i = 0; i < 50; i++) {
        const o = await issue(orderNo++);
        pool.ids.push(o.id);
        pool.versions.set(o.id, o.version);
      }
      pools.set(c.id, pool);
    }

    // Every configuration must answer every workload without errors before it is timed; (a)'s bytes feed (e).
    const bareResponses: Record<string, string> = {};
    for (const w of WORKLOADS) {
      for (const c of configs) {
        const r = w.requests.find((x) => !x.modifiesOrder)!;
        const res = await fetch(c.target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...c.target.headersFor(r.persona),
            ...(r.purpose ? { 'x-purpose-code': r.purpose } : {}),
            ...(r.reason ? { 'x-reason': r.reason } : {}),
          },
          body: JSON.stringify(r.body),
        });
        const text = await res.text();
        if (res.status !== 200 || text.includes('"errors"')) throw new Error(`${c.label} failed workload ${w.id}: ${res.status} ${text.slice(0, 500)}`);
        if (c.id === 'a') bareResponses[String(w.id)] = text;
      }
    }
    const responsesFile = join(dataDir, 'bench-responses.json');
    writeFileSync(responsesFile, JSON.stringify(bareResponses));
    const bare = start('bare', 0, [dist('bench/entries/bare-server.js'), String(BASE + 70), responsesFile], {});
    await waitFor(`http://127.0.0.1:${BASE + 70}/`, procs);
    configs.push({
      id: 'e',
      label: '(e) bare Node server',
      front: () => bare,
      subgraphs: () => [],
      target: { url: `http://127.0.0.1:${BASE + 70}/graphql`, headersFor: () => ({}) },
    });

    // Store queries per request must not grow with the width of the result (DataLoader).
    const statements = async (offset: number) => {
      let total = 0;
      for (let i = 0; i < 3; i++) total += ((await (await fetch(`http://127.0.0.1:${BASE + offset + 11 + i}/`)).json()) as { statements: number }).statements;
      return total;
    };
    const widthCost = async (limit: number) => {
      const before = await statements(0);
      await fetch(post(BASE), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer('officer'), 'x-purpose-code': 'C', 'x-reason': 'INC-W' },
        body: JSON.stringify({ query: wideSearch(limit) }),
      });
      return (await statements(0)) - before;
    };
    const width = { limit5: await widthCost(5), limit50: await widthCost(50) };
    console.log(`store statements for workload 3: limit 5 → ${width.limit5}, limit 50 → ${width.limit50}`);

    const rows: RunRow[] = [];
    const statementsPerRequest: Record<number, number> = {};
    const measure = async (c: Config, w: (typeof WORKLOADS)[number], mode: string, round: number, run: () => Promise<LoadResult>) => {
      const front = c.front();
      const subs = c.subgraphs();
      const pids = [front, ...subs].map((p) => p.child.pid!);
      const before = pids.map(cpuMs);
      const self0 = process.cpuUsage();
      const stmts0 = c.id === 'a' ? await statements(0) : 0;
      const result = await run();
      const after = pids.map(cpuMs);
      const self1 = process.cpuUsage(self0);
      const frontCpu = after[0] - before[0];
      const subCpu = after.slice(1).reduce((s, v, i) => s + v - before[i + 1], 0);
      const selfCpu = (self1.user + self1.system) / 1000;
      if (c.id === 'a' && statementsPerRequest[w.id] === undefined && result.requests > 0)
        statementsPerRequest[w.id] = ((await statements(0)) - stmts0) / result.requests;
      const core0 = frontCpu / result.durationMs;
      const core1 = (subCpu + selfCpu) / result.durationMs;
      rows.push({
        workload: w.id,
        config: c.id,
        mode,
        round,
        rps: result.rps,
        p50: result.p50,
        p99: result.p99,
        requests: result.requests,
        errors: result.errors + result.non2xx,
        graphqlErrors: result.graphqlErrors,
        cpuFrontMsPerReq: frontCpu / Math.max(1, result.requests),
        cpuTotalMsPerReq: (frontCpu + subCpu) / Math.max(1, result.requests),
        cpuMsPerReqByProcess: Object.fromEntries(
          [...[front, ...subs].map((p, i) => [p.name, after[i] - before[i]] as const), ['load', selfCpu] as const].map(([k, v]) => [
            k,
            v / Math.max(1, result.requests),
          ]),
        ),
        core0Share: core0,
        core1Share: core1,
        bound: core0 > 0.9 ? 'gateway (core 0)' : core1 > 0.9 ? 'subgraphs + load (core 1)' : '—',
      });
      console.log(
        `w${w.id} ${mode.padEnd(9)} r${round} ${c.label.padEnd(26)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  errors ${result.errors + result.non2xx + result.graphqlErrors}  CPU ms/req ${Object.entries(
          rows[rows.length - 1].cpuMsPerReqByProcess,
        )
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')}${result.firstError ? `  first: ${result.firstError}` : ''}`,
      );
    };

    const selected = configs.filter((c) => !onlyConfigs || onlyConfigs.includes(c.id));
    for (const w of WORKLOADS.filter((x) => !onlyWorkloads || onlyWorkloads.includes(String(x.id)))) {
      const configs = selected;
      for (const c of configs) await runLoad(w, c.target, { connections: 10, durationSeconds: PLAN.warmupSeconds, orders: pools.get(c.id) });
      for (const connections of PLAN.connections) {
        for (let round = 1; round <= PLAN.rounds; round++) {
          // Alternate the configurations within each round (A B C … A B C …), so drift hits all alike.
          for (const c of configs)
            await measure(c, w, `c=${connections}`, round, () => runLoad(w, c.target, { connections, durationSeconds: PLAN.seconds, orders: pools.get(c.id) }));
        }
      }
      // The fixed rate is set from the readings at 10 connections; a run narrowed to other loads has none.
      if (PLAN.rateRuns && PLAN.connections.includes(10)) {
        const weakest = Math.min(
          ...configs
            .filter((c) => c.id !== 'e')
            .map((c) => median(rows.filter((r) => r.workload === w.id && r.config === c.id && r.mode === 'c=10').map((r) => r.rps))),
        );
        const rate = Math.max(10, Math.round(weakest * 0.6));
        for (const c of configs)
          await measure(c, w, `${rate}/s`, 1, () =>
            runLoad(w, c.target, { connections: 10, durationSeconds: PLAN.seconds, overallRate: rate, orders: pools.get(c.id) }),
          );
      }
    }

    // The p50 target compares two workloads, measured minutes apart above. Measured again back to
    // back, round by round (workload 1 then 3, on (a)), a slower stretch of the machine weighs on
    // both sides of each ratio alike; the median of those ratios is the paired reading.
    const p50Pairs = new Map<number, number[]>();
    const w1 = WORKLOADS.find((w) => w.id === 1)!;
    const w3 = WORKLOADS.find((w) => w.id === 3)!;
    const a = selected.find((c) => c.id === 'a');
    if (a && [w1, w3].every((w) => !onlyWorkloads || onlyWorkloads.includes(String(w.id)))) {
      for (let round = 1; round <= PLAN.rounds; round++) {
        for (const connections of PLAN.connections.filter((n) => n <= 10)) {
          const one = await runLoad(w1, a.target, { connections, durationSeconds: PLAN.seconds });
          const wide = await runLoad(w3, a.target, { connections, durationSeconds: PLAN.seconds });
          p50Pairs.set(connections, [...(p50Pairs.get(connections) ?? []), wide.p50 / one.p50]);
          console.log(
            `p50 pair   c=${connections} r${round}: workload 3 ${wide.p50.toFixed(1)} ms / workload 1 ${one.p50.toFixed(1)} ms = ${(wide.p50 / one.p50).toFixed(2)}`,
          );
        }
      }
    }
    const pairedP50 = (connections: number) => (p50Pairs.has(connections) ? median(p50Pairs.get(connections)!) : NaN);

    const rss = Object.fromEntries(procs.map((p) => [p.name, peakRssMiB(p.child.pid!)]));
    const m = (w: number, c: string, mode = 'c=10', key: 'rps' | 'p50' = 'rps') =>
      median(rows.filter((r) => r.workload === w && r.config === c && r.mode === mode).map((r) => r[key]));
    // Two readings of each throughput ratio: the ratio of the two medians, and the median of the
    // ratios taken round by round — each pair measured back to back, so a slower stretch of this
    // shared machine weighs on both sides of it alike.
    const paired = (w: number, x: string, y: string) => {
      const at = (c: string) => rows.filter((r) => r.workload === w && r.config === c && r.mode === 'c=10');
      const ys = at(y);
      return median(at(x).flatMap((r) => ys.filter((q) => q.round === r.round).map((q) => r.rps / q.rps)));
    };
    const both = (w: number, x: string, y: string) => ({ ofMedians: m(w, x) / m(w, y), paired: paired(w, x, y) });
    const ratios: Record<string, { ofMedians: number; paired: number | null }> = {
      'a/b on workload 1 (target ≥ 0.85)': both(1, 'a', 'b'),
      'a/Hive-Rust on workload 1 (target ≥ 1)': both(1, 'a', 'd-rust'),
      'a/Hive-Rust on workload 3 (target ≥ 1)': both(3, 'a', 'd-rust'),
      'a/Hive-JS on workload 1': both(1, 'a', 'd-js'),
      'workload 3 p50 / workload 1 p50, (a), one request at a time (target ≤ 3)': {
        ofMedians: m(3, 'a', 'c=1', 'p50') / m(1, 'a', 'c=1', 'p50'),
        paired: pairedP50(1),
      },
      'workload 3 p50 / workload 1 p50, (a), 10 at a time (target ≤ 3)': {
        ofMedians: m(3, 'a', 'c=10', 'p50') / m(1, 'a', 'c=10', 'p50'),
        paired: pairedP50(10),
      },
      'b/c on workload 1 (cost of federation)': both(1, 'b', 'c'),
      'a/e on workload 5 (floor vs bare Node)': both(5, 'a', 'e'),
    };
    const env = environment();
    const command = `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
    const md = [
      `# Custodian benchmark`,
      '',
      `Command: \`${command}\` · ${startedAt.toISOString()} · ${PLAN.rounds} round(s) × ${PLAN.seconds} s per run, configurations alternated within each round; medians shown.`,
      '',
      ...Object.entries(env).map(([k, v]) => `- ${k}: ${v}`),
      '',
      'Gateway (or monolith, Hive, bare server) pinned to core 0; subgraphs and the load generator (autocannon) to core 1. Production mode, compiled JavaScript, one gateway process, a unique header per request.',
      '',
      '## Ratios (concurrency 10 unless stated)',
      '',
      '| ratio | of the medians | median of the per-round ratios |',
      '| --- | ---: | ---: |',
      ...Object.entries(ratios).map(
        ([k, v]) =>
          `| ${k} | ${Number.isNaN(v.ofMedians) ? 'not in this run' : v.ofMedians.toFixed(2)} | ${v.paired === null || Number.isNaN(v.paired) ? '—' : v.paired.toFixed(2)} |`,
      ),
      '',
      '## Runs',
      '',
      'Workloads: ' + WORKLOADS.map((w) => `(${w.id}) ${w.name}`).join('; ') + '.',
      '',
      table(rows, configs),
      '',
      '## Store statements per request, configuration (a)',
      '',
      ...WORKLOADS.map((w) => `- workload ${w.id}: ${(statementsPerRequest[w.id] ?? NaN).toFixed(2)}`),
      `- workload 3 width check (one request): limit 5 → ${width.limit5} statements, limit 50 → ${width.limit50}`,
      '',
      '## Peak RSS per process (MiB)',
      '',
      ...Object.entries(rss).map(([k, v]) => `- ${k}: ${v.toFixed(0)}`),
      '',
    ].join('\n');
    const partial = onlyWorkloads || onlyConfigs;
    const stem = partial ? 'results-partial' : quick ? 'results-quick' : 'results';
    writeFileSync(join(root, 'bench', `${stem}.md`), md);
    writeFileSync(
      join(root, 'bench', `${stem}.json`),
      JSON.stringify({ command, startedAt, plan: PLAN, env, ratios, p50Pairs: Object.fromEntries(p50Pairs), width, statementsPerRequest, rss, rows }, null, 2),
    );
    console.log('\n' + md);
    if (width.limit50 > width.limit5) {
      console.error(`FAIL: workload 3 store statements grow with the result width (${width.limit5} → ${width.limit50})`);
      process.exitCode = 1;
    }
  } finally {
    await stopAll(procs);
  }
}

/**
 * `--field-policy`: the screener's and the dispatcher's usual operations with the gateway's field
 * removal on and off (issue 21), in its own script so the two gateways share one set of subgraphs.
 */
function fieldPolicy(): Promise<void> {
  const script = join(__dirname, 'field-policy-bench.js');
  const args = process.argv.slice(2).filter((a) => a !== '--field-policy');
  const run = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
  if (run.status !== 0) process.exitCode = run.status ?? 1;
  return Promise.resolve();
}

/** `--scale`: the persons at 10,000 and 1,000,000 side by side (issue 20), then the audit's. */
const entry = process.argv.includes('--field-policy')
  ? fieldPolicy
  : process.argv.includes('--scale')
    ? () =>
        runScale(scaleOptionsFrom(process.argv)).then((pass) => {
          if (!pass) {
            console.error('FAIL: a query at scale is more than 1.5× its time on the small data set');
            process.exitCode = 1;
          }
        })
    : main;

entry().catch((error: Error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});
