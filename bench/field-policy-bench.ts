import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPersona, SUBGRAPH_NAMES, type SubgraphName } from '../access-policy/src';
import { GATEWAY_NODE_FLAGS } from '../gateway/src/gateway-node-flags';
import { ensureSandboxKeyPair, projectRoot, SANDBOX_KEYS } from '../platform/src';
import { runLoad, type Target } from './lib/load';
import { cpuMs, pinSelf, startPinned, stopAll, waitFor, type BenchProcess } from './lib/processes';
import { median } from './lib/report';
import { FIELD_POLICY_WORKLOADS, type BenchRequest } from './lib/workloads';
import { seedStores } from '../seed/src/seed-stores';

/**
 * What the gateway's removal of never-readable fields (issue 21, GATEWAY_FIELD_POLICY) saves on
 * the screener's and the dispatcher's usual operations: one set of subgraphs, two gateways — the
 * step on and off — measured alternately round by round. Per request: subgraph fetches (from the
 * gateway's own metrics), latency, and CPU of the gateway and of the subgraphs.
 *
 * `npm run -s build && node dist/bench/field-policy-bench.js [--rounds 3] [--seconds 5] [--connections 10]`
 * writes bench/results-field-policy.md. Gateways on core 0, subgraphs and the load on core 1.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 3);
const SECONDS = arg('--seconds', 5);
const CONNECTIONS = arg('--connections', 10);
const BASE = 5300;
const ISSUER = 'https://idp.bench.example';
const AUDIENCE = 'custodian-bench';
const root = projectRoot();

interface Side {
  step: 'on' | 'off';
  gateway: BenchProcess;
  port: number;
  metricsPort: number;
}

interface Row {
  workload: number;
  step: 'on' | 'off';
  rps: number;
  p50: number;
  p99: number;
  fetches: Record<string, number>;
  gatewayCpu: number;
  subgraphCpu: number;
}

/** Subgraph fetches so far, by subgraph, from the gateway's Prometheus histogram counts. */
async function fetchCounts(metricsPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^custodian_subgraph_fetch_duration_seconds_count\{([^}]*)\} (\d+)/.exec(line);
    const subgraph = m && /subgraph="([^"]+)"/.exec(m[1])?.[1];
    if (m && subgraph) counts[subgraph] = (counts[subgraph] ?? 0) + Number(m[2]);
  }
  return counts;
}

async function main(): Promise<void> {
  pinSelf(1);
  // Under bench/.data/ (git-ignored), in a folder of its own: run-bench's stores stay untouched.
  const dataDir = join(root, 'bench', '.data', 'field-policy');
  rmSync(dataDir, { recursive: true, force: true });
  for (const d of ['gw-on', 'gw-off']) mkdirSync(join(dataDir, d), { recursive: true });
  console.log('seeding bench data (10,000 persons)…');
  await seedStores({ kind: 'sqlite', dataDir }, { persons: 10_000 });
  const keys = await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.internalToken);

  // A stand-in identity provider: production mode takes tokens only from a JWKS.
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwksFile = join(dataDir, 'bench-jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] }));
  const tokens: Partial<Record<BenchRequest['persona'], string>> = {};
  for (const name of ['dispatcher', 'employment-screener'] as const) {
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

  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((n, i) => [n, `http://127.0.0.1:${BASE + i + 1}/graphql`])) as Record<SubgraphName, string>;
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', DATA_DIR: dataDir };
  const urlEnv = { SUBGRAPH_URL_CRIMINAL_HISTORY: urls['criminal-history'], SUBGRAPH_URL_ORDERS: urls.orders, SUBGRAPH_URL_ALERTS: urls.alerts };
  const procs: BenchProcess[] = [];
  try {
    const subgraphs = SUBGRAPH_NAMES.map((name, i) => {
      const p = startPinned(name, 1, [join(root, 'dist/bench/entries/subgraph.js'), name], {
        ...common,
        ...urlEnv,
        INTERNAL_TOKEN_PUBLIC_KEY_FILE: keys.publicFile,
        PORT: String(BASE + i + 1),
      });
      procs.push(p);
      return p;
    });
    const sides: Side[] = (['on', 'off'] as const).map((step, i) => {
      const port = BASE + 10 + i;
      const metricsPort = BASE + 20 + i;
      const gateway = startPinned(`gateway-${step}`, 0, [...GATEWAY_NODE_FLAGS, join(root, 'dist/bench/entries/gateway.js')], {
        ...common,
        ...urlEnv,
        DATA_DIR: join(dataDir, `gw-${step}`),
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        GATEWAY_FIELD_POLICY: step,
        AUTH_JWKS_FILE: jwksFile,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_ALGORITHMS: 'ES256',
        INTERNAL_TOKEN_PRIVATE_KEY_FILE: keys.privateFile,
        RATE_LIMIT_USER_PER_MINUTE: '100000000',
        RATE_LIMIT_CLIENT_PER_MINUTE: '100000000',
        SCREENING_DAILY_QUOTA: '100000000',
        TRUSTED_DOCUMENTS_MODE: 'off',
      });
      procs.push(gateway);
      return { step, gateway, port, metricsPort };
    });
    for (const side of sides) await waitFor(`http://127.0.0.1:${side.port}/health/ready`, procs);
    const target = (side: Side): Target => ({
      url: `http://127.0.0.1:${side.port}/graphql`,
      headersFor: (persona) => ({ authorization: `Bearer ${tokens[persona]}` }),
    });

    const rows: Row[] = [];
    for (const w of FIELD_POLICY_WORKLOADS) {
      for (const side of sides) await runLoad(w, target(side), { connections: CONNECTIONS, durationSeconds: 2 });
      for (let round = 1; round <= ROUNDS; round++) {
        for (const side of sides) {
          const pids = [side.gateway, ...subgraphs].map((p) => p.child.pid!);
          const cpu0 = pids.map(cpuMs);
          const fetches0 = await fetchCounts(side.metricsPort);
          const result = await runLoad(w, target(side), { connections: CONNECTIONS, durationSeconds: SECONDS });
          const cpu1 = pids.map(cpuMs);
          const fetches1 = await fetchCounts(side.metricsPort);
          const n = Math.max(1, result.requests);
          const fetches = Object.fromEntries(SUBGRAPH_NAMES.map((s) => [s, ((fetches1[s] ?? 0) - (fetches0[s] ?? 0)) / n]));
          const row: Row = {
            workload: w.id,
            step: side.step,
            rps: result.rps,
            p50: result.p50,
            p99: result.p99,
            fetches,
            gatewayCpu: (cpu1[0] - cpu0[0]) / n,
            subgraphCpu: cpu1.slice(1).reduce((s, v, i) => s + v - cpu0[i + 1], 0) / n,
          };
          rows.push(row);
          console.log(
            `w${w.id} r${round} step ${side.step.padEnd(3)} ${result.rps.toFixed(0).padStart(5)} req/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  fetches/req ${Object.entries(
              fetches,
            )
              .map(([k, v]) => `${k} ${v.toFixed(2)}`)
              .join(', ')}  CPU ms/req gateway ${row.gatewayCpu.toFixed(2)} subgraphs ${row.subgraphCpu.toFixed(2)}  errors ${result.errors + result.non2xx}`,
          );
          if (result.errors + result.non2xx > 0) throw new Error(`workload ${w.id} (step ${side.step}) failed: ${result.firstError}`);
        }
      }
    }

    const med = (w: number, step: string, pick: (r: Row) => number) => median(rows.filter((r) => r.workload === w && r.step === step).map(pick));
    const lines = [
      '# The gateway removing never-readable fields before planning (issue 21)',
      '',
      `Command: \`node dist/bench/field-policy-bench.js ${process.argv.slice(2).join(' ')}\` · ${new Date().toISOString()} · ${ROUNDS} round(s) × ${SECONDS} s, ${CONNECTIONS} connections, the step on and off alternated within each round; medians. Gateways on core 0, subgraphs and load on core 1, production mode, 10,000 persons.`,
      '',
      '| workload | step | req/s | p50 ms | p99 ms | subgraph fetches / request (criminal-history, orders, alerts) | CPU ms/req gateway | CPU ms/req subgraphs |',
      '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |',
      ...FIELD_POLICY_WORKLOADS.flatMap((w) =>
        (['off', 'on'] as const).map(
          (step) =>
            `| ${w.id}. ${w.name} | ${step === 'on' ? 'removed first' : 'off (before)'} | ${med(w.id, step, (r) => r.rps).toFixed(0)} | ${med(w.id, step, (r) => r.p50).toFixed(1)} | ${med(w.id, step, (r) => r.p99).toFixed(1)} | ${SUBGRAPH_NAMES.map((s) => med(w.id, step, (r) => r.fetches[s]).toFixed(2)).join(', ')} | ${med(w.id, step, (r) => r.gatewayCpu).toFixed(2)} | ${med(w.id, step, (r) => r.subgraphCpu).toFixed(2)} |`,
        ),
      ),
      '',
    ];
    writeFileSync(join(root, 'bench', 'results-field-policy.md'), lines.join('\n'));
    console.log('\n' + lines.join('\n'));
  } finally {
    await stopAll(procs);
  }
}

main().catch((error: Error) => {
  console.error(`field-policy bench failed: ${error.message}`);
  process.exit(1);
});
