import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { findPersona, SUBGRAPH_NAMES, type SubgraphName } from '../../access-policy/src';
import { EMPLOYMENT_SCREENING, OFFICER_PROFILE } from '../../gateway/src/explorer/example-operations';
import { GATEWAY_NODE_FLAGS } from '../../gateway/src/gateway-node-flags';
import { ensureSandboxKeyPair, projectRoot, SANDBOX_KEYS, type StoreLocation } from '../../platform/src';
import { seedStores } from '../../seed/src/seed-stores';
import { percentile } from './load';
import { startPinned, stopAll, waitFor, type BenchProcess } from './processes';
import { environment } from './report';

/** One query of the scale table (issue 20), sent one at a time through the gateway. */
interface ScaleQuery {
  id: string;
  label: string;
  persona: 'officer' | 'employment-screener';
  purpose: string;
  reason: string | null;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
}

const officer = (id: string, label: string, body: ScaleQuery['body']): ScaleQuery => ({
  id,
  label,
  persona: 'officer',
  purpose: 'C',
  reason: 'INC-SCALE-1',
  body,
});

/** The four queries of issue 20's table. */
export const SCALE_QUERIES: ScaleQuery[] = [
  officer('profile', 'officer profile of A10000001 (arrests with charges, orders, alerts)', {
    query: OFFICER_PROFILE,
    variables: { id: 'A10000001' },
    operationName: 'OfficerProfile',
  }),
  {
    id: 'exact',
    label: "exact search DOE / JOHN / 1985-03-14 (the screener's)",
    persona: 'employment-screener',
    purpose: 'I',
    reason: null,
    body: { query: EMPLOYMENT_SCREENING, variables: { last: 'DOE', first: 'JOHN', dob: '1985-03-14' }, operationName: 'EmploymentScreening' },
  },
  officer('smith', '`searchPersons(lastName: "SMITH", limit: 50)` with arrests', {
    query:
      'query Smith { searchPersons(lastName: "SMITH", limit: 50) { score person { id name { last first } dateOfBirth criminalHistory { arrests { date charges { statute level disposition { type } } } } } } }',
    operationName: 'Smith',
  }),
  officer('garcia', '`searchPersons(lastName: "GARCIA", firstName: "MARIA", limit: 5)`', {
    query: 'query Garcia { searchPersons(lastName: "GARCIA", firstName: "MARIA", limit: 5) { score person { id name { last first } dateOfBirth sex } } }',
    operationName: 'Garcia',
  }),
];

/** Options of `npm run bench -- --scale`. */
export interface ScaleOptions {
  /** The large population. @default 1,000,000 (`--persons N`) */
  persons: number;
  /** The small one it is compared with. @default 10,000 */
  small: number;
  engines: Array<'sqlite' | 'postgres'>;
  /** Requests per query; the p50 of them is reported. @default 40 */
  requests: number;
  /** PostgreSQL server (a database per data set is created on it, and dropped after unless `keep`). */
  postgresUrl: string;
  /** Keep the data sets (SQLite folders under bench/.data/scale, PostgreSQL databases) for the next run; else each is deleted after. */
  keep: boolean;
  /**
   * Arguments for the audit's scale bench, run after the persons when it is built: `--audit-sizes
   * 10000,1000000` passes `--sizes` (its own default is 10,000 and 10,000,000 records, hours on a
   * small machine); null with `--no-audit`.
   */
  audit: string[] | null;
}

interface DataSet {
  engine: 'sqlite' | 'postgres';
  persons: number;
  location: StoreLocation;
  /** Seeding: seconds and persons a second (null when an existing data set was reused). */
  seedSeconds: number | null;
  diskMiB: number;
  database?: string;
}

const BASE = 5300;
const ISSUER = 'https://idp.bench.example';
const AUDIENCE = 'custodian-bench';

function serverUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<pg.QueryResult<Row>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<Row>(sql);
  } finally {
    await client.end();
  }
}

/** Builds (or reuses, when it is complete) one data set, timing its seeding. */
async function buildDataSet(engine: 'sqlite' | 'postgres', persons: number, options: ScaleOptions, dataRoot: string): Promise<DataSet> {
  let location: StoreLocation;
  let database: string | undefined;
  if (engine === 'sqlite') {
    const dataDir = join(dataRoot, `sqlite-${persons}`);
    mkdirSync(dataDir, { recursive: true });
    location = { kind: 'sqlite', dataDir };
  } else {
    database = `custodian_bench_scale_${persons}`;
    const exists = (await adminQuery(options.postgresUrl, `SELECT 1 FROM pg_database WHERE datname = '${database}'`)).rowCount;
    if (!exists) await adminQuery(options.postgresUrl, `CREATE DATABASE ${database}`);
    location = { kind: 'postgres', url: serverUrl(options.postgresUrl, database) };
  }
  const started = Date.now();
  let lastLog = 0;
  const result = await seedStores(location, {
    persons,
    seedDate: new Date('2026-06-15T00:00:00Z'),
    idKey: 'bench-scale-record-ids',
    onProgress: (done, total) => {
      if (Date.now() - lastLog > 10_000 || done === total) {
        lastLog = Date.now();
        console.log(`  ${engine} ${persons}: ${done}/${total} persons, ${Math.round(done / ((Date.now() - started) / 1000))}/s`);
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  const seedSeconds = result.seeded ? seconds : null;
  if (result.seeded) console.log(`  ${engine} ${persons}: seeded in ${seconds.toFixed(1)} s (${Math.round(persons / seconds)} persons/s)`);
  else console.log(`  ${engine} ${persons}: reusing the data set already seeded`);
  return { engine, persons, location, seedSeconds, diskMiB: await diskMiB(location, database), database };
}

async function diskMiB(location: StoreLocation, database?: string): Promise<number> {
  if (location.kind === 'sqlite') {
    let bytes = 0;
    for (const store of ['criminal-history', 'orders', 'alerts']) {
      for (const suffix of ['', '-wal']) {
        const f = join(location.dataDir, `${store}.sqlite${suffix}`);
        if (existsSync(f)) bytes += statSync(f).size;
      }
    }
    return bytes / 2 ** 20;
  }
  const { rows } = await adminQuery<{ bytes: string }>(location.url, `SELECT pg_database_size('${database}') AS bytes`);
  return Number(rows[0].bytes) / 2 ** 20;
}

/** Bytes per table and index of criminal-history (PostgreSQL), for the sizing section. */
async function tableSizes(set: DataSet): Promise<Record<string, number>> {
  if (set.location.kind !== 'postgres') return {};
  const { rows } = await adminQuery<{ relname: string; bytes: string }>(
    set.location.url,
    `SELECT c.relname, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('criminal_history', 'orders', 'alerts') AND c.relkind = 'r' ORDER BY 2 DESC`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.bytes) / 2 ** 20]));
}

/** Starts the subgraphs and a gateway on a data set, on ports from `base`; returns the gateway's URL. */
async function startStack(set: DataSet, base: number, dataRoot: string, jwksFile: string, procs: BenchProcess[]): Promise<string> {
  const keys = await ensureSandboxKeyPair(dataRoot, SANDBOX_KEYS.internalToken);
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((n, i) => [n, `http://127.0.0.1:${base + i + 1}/graphql`])) as Record<SubgraphName, string>;
  const auditDir = join(dataRoot, `audit-${set.engine}-${set.persons}`);
  mkdirSync(auditDir, { recursive: true });
  const storeEnv = set.location.kind === 'postgres' ? { DATABASE_URL: set.location.url, DATA_DIR: auditDir } : { DATA_DIR: set.location.dataDir };
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...storeEnv };
  const urlEnv = { SUBGRAPH_URL_CRIMINAL_HISTORY: urls['criminal-history'], SUBGRAPH_URL_ORDERS: urls.orders, SUBGRAPH_URL_ALERTS: urls.alerts };
  const dist = (p: string) => join(projectRoot(), 'dist', p);
  const tag = `${set.engine}-${set.persons}`;
  const mine: BenchProcess[] = [];
  SUBGRAPH_NAMES.forEach((name, i) =>
    mine.push(
      startPinned(`${name}-${tag}`, 1, [dist('bench/entries/subgraph.js'), name], {
        ...common,
        ...urlEnv,
        INTERNAL_TOKEN_PUBLIC_KEY_FILE: keys.publicFile,
        PORT: String(base + i + 1),
      }),
    ),
  );
  mine.push(
    startPinned(`gateway-${tag}`, 0, [...GATEWAY_NODE_FLAGS, dist('bench/entries/gateway.js')], {
      ...common,
      ...urlEnv,
      PORT: String(base),
      // The audit stays on SQLite beside the data set: this table measures the persons' stores.
      DATABASE_URL: '',
      DATA_DIR: auditDir,
      AUTH_JWKS_FILE: jwksFile,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ALGORITHMS: 'ES256',
      INTERNAL_TOKEN_PRIVATE_KEY_FILE: keys.privateFile,
      RATE_LIMIT_USER_PER_MINUTE: '100000000',
      RATE_LIMIT_CLIENT_PER_MINUTE: '100000000',
      SCREENING_DAILY_QUOTA: '100000000',
    }),
  );
  procs.push(...mine);
  await waitFor(`http://127.0.0.1:${base}/health/ready`, mine, 120_000);
  return `http://127.0.0.1:${base}/graphql`;
}

/**
 * Measures each query on the small and the large data set of one engine, one request at a
 * time, alternating between the two stacks request by request: this shared machine's speed
 * drifts by tens of percent within minutes, and alternation lets a slow stretch weigh on both
 * sides of a ratio alike. Returns the p50 per data set and query.
 */
async function measurePair(sets: DataSet[], options: ScaleOptions, dataRoot: string, tokens: Record<string, string>, jwksFile: string) {
  const procs: BenchProcess[] = [];
  try {
    const urls: string[] = [];
    for (const [i, set] of sets.entries()) urls.push(await startStack(set, BASE + 20 * i, dataRoot, jwksFile, procs));
    const p50 = sets.map((): Record<string, number> => ({}));
    for (const q of SCALE_QUERIES) {
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens[q.persona]}`,
        'x-purpose-code': q.purpose,
        ...(q.reason ? { 'x-reason': q.reason } : {}),
      };
      const times: number[][] = sets.map(() => []);
      for (let i = 0; i < 5 + options.requests; i++) {
        for (const [s, url] of urls.entries()) {
          const t0 = process.hrtime.bigint();
          const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(q.body) });
          const text = await res.text();
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          if (res.status !== 200 || text.includes('"errors"'))
            throw new Error(`${q.id} on ${sets[s].engine} ${sets[s].persons}: ${res.status} ${text.slice(0, 300)}`);
          if (i >= 5) times[s].push(ms);
        }
      }
      sets.forEach((set, s) => {
        p50[s][q.id] = percentile(
          [...times[s]].sort((a, b) => a - b),
          50,
        );
        console.log(`  ${set.engine} ${set.persons} ${q.id}: p50 ${p50[s][q.id].toFixed(1)} ms`);
      });
    }
    return p50;
  } finally {
    await stopAll(procs);
  }
}

/** Deletes a data set: its PostgreSQL database, or its SQLite folder. */
async function dropDataSet(set: DataSet, options: ScaleOptions): Promise<void> {
  if (set.database) await adminQuery(options.postgresUrl, `DROP DATABASE IF EXISTS ${set.database}`);
  if (set.location.kind === 'sqlite') rmSync(set.location.dataDir, { recursive: true, force: true });
}

/**
 * `npm run bench -- --scale`: builds the small and the large persons data sets on each engine,
 * measures the four queries of issue 20 one at a time through a gateway on each, and writes
 * bench/results-scale.md and .json; then runs the audit's scale bench when it is built
 * (dist/bench/scale/audit-scale.js, its own table in bench/results-scale-audit.md).
 */
export async function runScale(options: ScaleOptions): Promise<boolean> {
  const root = projectRoot();
  const dataRoot = join(root, 'bench', '.data', 'scale');
  mkdirSync(dataRoot, { recursive: true });
  const startedAt = new Date();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwksFile = join(dataRoot, 'bench-jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] }));
  const tokens: Record<string, string> = {};
  for (const name of ['officer', 'employment-screener'] as const) {
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

  const results: Array<{ set: Omit<DataSet, 'location'>; p50: Record<string, number>; tables: Record<string, number> }> = [];
  for (const engine of options.engines) {
    const sets: DataSet[] = [];
    try {
      for (const persons of [options.small, options.persons]) {
        console.log(`scale: ${engine}, ${persons} persons`);
        sets.push(await buildDataSet(engine, persons, options, dataRoot));
      }
      const p50 = await measurePair(sets, options, dataRoot, tokens, jwksFile);
      for (const [i, set] of sets.entries()) {
        const { location: _location, ...rest } = set;
        results.push({ set: rest, p50: p50[i], tables: await tableSizes(set) });
      }
    } finally {
      if (!options.keep) for (const set of sets) await dropDataSet(set, options);
    }
  }

  const find = (engine: string, persons: number) => results.find((r) => r.set.engine === engine && r.set.persons === persons);
  const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(1) : n.toFixed(0));
  const header = options.engines.flatMap((e) => [`${e} ${options.small.toLocaleString('en')}`, `${e} ${options.persons.toLocaleString('en')}`, `${e} ratio`]);
  let pass = true;
  const rows = SCALE_QUERIES.map((q) => {
    const cells = options.engines.flatMap((e) => {
      const small = find(e, options.small)?.p50[q.id];
      const large = find(e, options.persons)?.p50[q.id];
      const ratio = small && large ? large / small : NaN;
      if (!(ratio <= 1.5)) pass = false;
      return [`${fmt(small)} ms`, `${fmt(large)} ms`, Number.isNaN(ratio) ? '—' : `${ratio.toFixed(2)}×`];
    });
    return `| ${q.label} | ${cells.join(' | ')} |`;
  });
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const md = [
    '# Custodian at scale: persons (issue 20)',
    '',
    `Command: \`${command}\` · ${startedAt.toISOString()} · each query sent one at a time through a gateway on each data set, alternating between the small and the large request by request, ${options.requests} requests each after 5 of warm-up, p50 shown. Target: every ratio ≤ 1.5×.`,
    '',
    ...Object.entries(environment()).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Queries, p50',
    '',
    `| query | ${header.join(' | ')} |`,
    `| --- | ${header.map(() => '---:').join(' | ')} |`,
    ...rows,
    '',
    '## Data sets',
    '',
    '| engine | persons | seeding | persons/s | on disk |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.set.engine} | ${r.set.persons.toLocaleString('en')} | ${r.set.seedSeconds === null ? 'reused' : `${r.set.seedSeconds.toFixed(1)} s`} | ${r.set.seedSeconds === null ? '—' : Math.round(r.set.persons / r.set.seedSeconds).toLocaleString('en')} | ${r.set.diskMiB.toFixed(0)} MiB |`,
    ),
    '',
    ...results
      .filter((r) => Object.keys(r.tables).length > 0 && r.set.persons === options.persons)
      .flatMap((r) => [
        `## PostgreSQL tables with their indexes, ${r.set.persons.toLocaleString('en')} persons (MiB)`,
        '',
        ...Object.entries(r.tables).map(([t, mib]) => `- ${t}: ${mib.toFixed(1)}`),
        '',
      ]),
  ].join('\n');
  writeFileSync(join(root, 'bench', 'results-scale.md'), md);
  writeFileSync(
    join(root, 'bench', 'results-scale.json'),
    JSON.stringify({ command, startedAt, options: { ...options, postgresUrl: undefined }, env: environment(), results }, null, 2),
  );
  console.log('\n' + md);

  const audit = join(root, 'dist', 'bench', 'scale', 'audit-scale.js');
  if (options.audit === null) {
    console.log('scale: the audit skipped (--no-audit)');
  } else if (existsSync(audit)) {
    console.log(`scale: the audit (dist/bench/scale/audit-scale.js${options.audit.length ? ' ' + options.audit.join(' ') : ''})`);
    const r = spawnSync(process.execPath, [audit, ...options.audit], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) pass = false;
  } else {
    console.log('scale: no audit scale bench built (dist/bench/scale/audit-scale.js); persons only');
  }
  return pass;
}

/** Reads `--scale`'s options from the command line. */
export function scaleOptionsFrom(argv: readonly string[]): ScaleOptions {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const engines = (arg('--engines') ?? 'sqlite,postgres').split(',') as ScaleOptions['engines'];
  for (const e of engines) if (e !== 'sqlite' && e !== 'postgres') throw new Error(`--engines: sqlite or postgres, got ${String(e)}`);
  return {
    persons: Number(arg('--persons') ?? 1_000_000),
    small: Number(arg('--small') ?? 10_000),
    engines,
    requests: Number(arg('--requests') ?? 40),
    postgresUrl: process.env.DATABASE_URL || arg('--postgres') || 'postgres://postgres@127.0.0.1:5432/postgres',
    keep: argv.includes('--keep'),
    audit: argv.includes('--no-audit') ? null : arg('--audit-sizes') ? ['--sizes', arg('--audit-sizes')!] : [],
  };
}
