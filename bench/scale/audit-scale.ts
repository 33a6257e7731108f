import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AuditRecord } from '../../access-policy/src';
import type { AuditStore, VerifiedCheckpoint, VerifiedCheckpoints } from '../../gateway/src/audit/audit-store';
import { GENESIS_HASH, recordHash, sha256 } from '../../gateway/src/audit/hash-chain';
import { buildMisuseReport, loadRoster } from '../../gateway/src/audit/misuse-report';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../../gateway/src/audit/verify-chains';
import { projectRoot } from '../../platform/src';
import { openSubjectDirectory } from '../../scripts/subject-directory';
import { environment, median } from '../lib/report';

/**
 * The audit at state volume, measured (issue 20): generates audit stores of 10,000 and
 * 10,000,000 records on PostgreSQL and times what auditors and operators run on them.
 *
 *   node dist/bench/scale/audit-scale.js [--sizes 10000,10000000] [--pg-url postgres://…/postgres] [--keep] [--reuse] [--out file]
 *
 * The stores are built alike so that only their size differs where it should not matter: both
 * hold the same last 35 days — 9,670 records, the week a report reads and its 28-day baseline —
 * and the rest over the eleven months before: a record a day in the smallest, about 30,000 a
 * day in the 10,000,000 one (a state's message switch scaled down a hundredfold). Records are generated here, hash-chained as
 * a gateway chains them (two gateway processes a day, each its own chain), and written straight
 * into the store's tables in bulk (never through the gateway), with the subject index.
 * Each database is dropped at the end unless `--keep`.
 */

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SIZES = (arg('--sizes') ?? '10000,10000000').split(',').map(Number);
const ADMIN_URL = arg('--pg-url') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const KEEP = process.argv.includes('--keep');
/** `--reuse`: measure a store a `--keep` run left, without generating it again. */
const REUSE = process.argv.includes('--reuse');
const DAY = 86_400_000;
/** Issue 20: each query at 10,000,000 records within 2× of its time at 10,000. */
const MAX_RATIO = 2;
const TITLE = '# The audit at scale (issue 20)';
const RECENT_DAYS = 35;
const HISTORY_DAYS = 330;
/** The smallest store still spans the year (a record a day before its last 35 days), so both have as many months. */
const RECENT_RECORDS = 10_000 - HISTORY_DAYS;

/** The end of the generated year: the start of today (UTC), so "the last week" is whole days. */
const END = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());

/** Subjects and users the measurements ask for; each is in both stores' last 35 days alike. */
const FREQUENT_SUBJECT = 'Person:A10000001';
const RARE_SUBJECT = 'Person:A19999999';
const PROBE_USER = 'u-officer-1001';

/** A small deterministic generator (mulberry32): the same store every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOCUMENT =
  'query OfficerProfile($id: ID!) { person(id: $id) { id name { first last } dateOfBirth criminalHistory { arrests { date charges { code } } } } }';
const DOCUMENT_HASH = sha256(DOCUMENT);
const FIELDS = ['Person.id', 'Person.name', 'Person.dateOfBirth', 'Person.criminalHistory', 'Arrest.date', 'Arrest.charges', 'Charge.code', 'Query.person'];

/** One generated record's entry; `index` counts records of the day, `recentRare` marks the rare subject's three lookups. */
function generate(random: () => number, at: string, chainId: string, seq: number, prevHash: string, rare: boolean): AuditRecord {
  const person = rare ? RARE_SUBJECT : random() < 1 / 200 ? FREQUENT_SUBJECT : `Person:A${10_000_002 + Math.floor(random() * 999_990)}`;
  const subjects = random() < 0.25 ? [person, `ProtectiveOrder:PO-${String(1 + Math.floor(random() * 200_000)).padStart(6, '0')}`] : [person];
  const user = random() < 1 / 500 ? PROBE_USER : `u-officer-${2000 + Math.floor(random() * 5000)}`;
  const denied = random() < 0.02;
  const record: Omit<AuditRecord, 'hash'> = {
    chainId,
    seq,
    requestId: `req-${chainId}-${seq}`,
    at,
    userSub: user,
    userName: `Officer ${user.slice(10)}`,
    ori: `CA${String(1000000 + Math.floor(random() * 500)).padStart(7, '0')}`,
    client: 'patrol-mdt',
    scopes: ['person:read', 'history:read'],
    purpose: random() < 0.9 ? 'C' : 'J',
    reason: `INC-${Math.floor(random() * 1e7)}`,
    operationType: 'query',
    operationName: 'OfficerProfile',
    documentHash: DOCUMENT_HASH,
    document: DOCUMENT,
    documentId: undefined,
    documentTrust: undefined,
    variables: { id: person.slice(7) },
    outcome: denied ? 'DENIED' : 'ALLOWED',
    deniedPaths: denied ? ['person.criminalHistory'] : [],
    errorCodes: denied ? ['FORBIDDEN'] : [],
    fieldsResolved: FIELDS,
    subjects,
    sourceAddress: `10.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.7`,
    userAgent: 'patrol-mdt/4.2',
    durationMs: 5 + Math.floor(random() * 40),
    prevHash,
  };
  return { ...record, hash: recordHash(record) };
}

const COLUMNS: [name: string, value: (r: AuditRecord) => Cell][] = [
  ['chain_id', (r) => r.chainId],
  ['seq', (r) => r.seq],
  ['request_id', (r) => r.requestId],
  ['at', (r) => r.at],
  ['user_sub', (r) => r.userSub],
  ['user_name', (r) => r.userName],
  ['ori', (r) => r.ori],
  ['client', (r) => r.client],
  ['scopes', (r) => JSON.stringify(r.scopes)],
  ['purpose', (r) => r.purpose],
  ['reason', (r) => r.reason],
  ['operation_type', (r) => r.operationType],
  ['operation_name', (r) => r.operationName],
  ['document_hash', (r) => r.documentHash],
  ['document', (r) => r.document],
  ['variables', (r) => JSON.stringify(r.variables)],
  ['outcome', (r) => r.outcome],
  ['denied_paths', (r) => JSON.stringify(r.deniedPaths)],
  ['error_codes', (r) => JSON.stringify(r.errorCodes)],
  ['fields_resolved', (r) => JSON.stringify(r.fieldsResolved)],
  ['subjects', (r) => JSON.stringify(r.subjects)],
  ['source_address', (r) => r.sourceAddress],
  ['user_agent', (r) => r.userAgent],
  ['duration_ms', (r) => r.durationMs],
  ['prev_hash', (r) => r.prevHash],
  ['hash', (r) => r.hash],
];
/** A column's value, as the record holds it. */
type Cell = string | number | null | undefined;

/** A value in COPY's text format: \\N for a missing one; backslash, tab and line breaks escaped. */
function copyText(v: Cell): string {
  if (v === undefined || v === null) return '\\N';
  const text = String(v);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : text;
}

/**
 * One COPY … FROM STDIN on its own connection, fed a piece at a time. While PostgreSQL parses and
 * stores a piece, this thread hashes the next records: the generator and the backend run on the
 * host's two cores side by side (INSERT … unnest of 5,000-record arrays ran them in turn, at
 * 2,300–4,500 records a second).
 */
class CopyStream {
  private piece = '';
  private constructor(
    private readonly client: Client,
    private readonly sink: Writable,
  ) {}

  static async open(url: string, sql: string): Promise<CopyStream> {
    const client = new Client({ connectionString: url, options: '-c search_path=audit' });
    await client.connect();
    return new CopyStream(client, client.query(copyFrom(sql)));
  }

  /** Appends a row; sends about a megabyte at a time, waiting while the backend is behind. */
  async row(values: readonly Cell[]): Promise<void> {
    this.piece += values.map(copyText).join('\t') + '\n';
    if (this.piece.length < 1 << 20) return;
    const piece = this.piece;
    this.piece = '';
    if (!this.sink.write(piece)) await once(this.sink, 'drain');
  }

  async end(): Promise<void> {
    if (this.piece) this.sink.write(this.piece);
    this.piece = '';
    this.sink.end();
    await finished(this.sink);
    await this.client.end();
  }
}

/**
 * The audit tables' indexes and keys as the migrations made them, dropped for the load and built
 * again after it: a sort per partition costs a fraction of growing the subject index (keyed by
 * subject, so every row lands at a random place) and the user index row by row.
 */
async function dropIndexes(db: Client): Promise<string[]> {
  const { rows } = await db.query<{ kind: string; tbl: string; name: string; def: string }>(
    `SELECT 'c' AS kind, conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE contype = 'p' AND conrelid IN ('audit_records'::regclass, 'audit_subject_index'::regclass)
     UNION ALL
     SELECT 'i', indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
      WHERE indrelid IN ('audit_records'::regclass, 'audit_subject_index'::regclass) AND NOT indisprimary
     ORDER BY 1, 2, 3`,
  );
  const restore: string[] = [];
  for (const r of rows) {
    if (r.kind === 'c') {
      await db.query(`ALTER TABLE ${r.tbl} DROP CONSTRAINT ${r.name}`);
      restore.push(`ALTER TABLE ${r.tbl} ADD CONSTRAINT ${r.name} ${r.def}`);
    } else {
      await db.query(`DROP INDEX ${r.name}`);
      // A partitioned index's definition reads ON ONLY (the parent alone); built so it would
      // stay invalid, with no partition's index under it.
      restore.push(r.def.replace(' ON ONLY ', ' ON '));
    }
  }
  return restore;
}

/** Records per day: the history's days, then the recent ones (the same in every store). */
function dayPlan(size: number): { day: number; count: number }[] {
  const history = Math.max(0, size - RECENT_RECORDS);
  const recent = size - history;
  const plan: { day: number; count: number }[] = [];
  const spread = (days: number, total: number, firstDay: number) => {
    for (let d = 0; d < days; d++) plan.push({ day: firstDay + d * DAY, count: Math.floor((total * (d + 1)) / days) - Math.floor((total * d) / days) });
  };
  spread(HISTORY_DAYS, history, END - (RECENT_DAYS + HISTORY_DAYS) * DAY);
  spread(RECENT_DAYS, recent, END - RECENT_DAYS * DAY);
  return plan.filter((p) => p.count > 0);
}

/** Generates a store of `size` records into a fresh database; returns its URL. */
async function build(size: number): Promise<{ url: string; seconds: number }> {
  const name = `custodian_audit_scale_${size}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  if (REUSE && (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) {
    await admin.end();
    return { url: url.toString(), seconds: NaN };
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const started = Date.now();
  // Migrated (and partitioned) by the store itself, as a gateway would find it.
  const store = await SqlAuditStore.open({ kind: 'postgres', url: url.toString() }, 1);
  await store.close();
  const db = new Client({ connectionString: url.toString(), options: '-c search_path=audit' });
  await db.connect();
  const first = new Date(END - (RECENT_DAYS + HISTORY_DAYS) * DAY).toISOString();
  await db.query('SELECT audit_ensure_partitions($1, $2)', [first, new Date(END).toISOString()]);
  const restore = await dropIndexes(db);
  const records = await CopyStream.open(url.toString(), `COPY audit_records (${COLUMNS.map((c) => c[0]).join(', ')}) FROM STDIN`);
  const subjectRows = await CopyStream.open(url.toString(), 'COPY audit_subject_index (subject, at, chain_id, seq) FROM STDIN');
  const historyRandom = prng(7);
  const recentRandom = prng(11);
  const recentStart = END - RECENT_DAYS * DAY;
  // The rare subject: three lookups, in the last three days (the same in both stores).
  const rareDays = new Set([END - 3 * DAY, END - 2 * DAY, END - DAY]);
  let written = 0;
  const chains: { id: string; started: string; last: number }[] = [];
  for (const { day, count } of dayPlan(size)) {
    const random = day >= recentStart ? recentRandom : historyRandom;
    // Two gateway processes a day, each its own chain; requests split between them.
    const stamp = new Date(day).toISOString().slice(0, 10).replace(/-/g, '');
    const dayChains = [0, 1].map((i) => ({ id: `bench-gw${i + 1}-${stamp}`, seq: 0, prev: GENESIS_HASH }));
    const times = Array.from({ length: count }, () => day + Math.floor(random() * DAY)).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      const chain = dayChains[i % 2];
      chain.seq++;
      const record = generate(random, new Date(times[i]).toISOString(), chain.id, chain.seq, chain.prev, rareDays.has(day) && i === 0);
      chain.prev = record.hash;
      await records.row(COLUMNS.map(([, value]) => value(record)));
      for (const s of new Set(record.subjects)) await subjectRows.row([s, record.at, record.chainId, record.seq]);
      if (++written % 500_000 === 0) console.log(`  ${written.toLocaleString('en')} records (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    for (const c of dayChains) if (c.seq > 0) chains.push({ id: c.id, started: new Date(day).toISOString(), last: c.seq });
  }
  await Promise.all([records.end(), subjectRows.end()]);
  const loaded = Date.now();
  // Memory for each index build's sort (64 MB by default: a month's partition would spill to disk).
  await db.query("SET maintenance_work_mem = '512MB'");
  for (const sql of restore) await db.query(sql);
  console.log(`  rows in ${Math.round((loaded - started) / 1000)} s, indexes built in ${Math.round((Date.now() - loaded) / 1000)} s`);
  await db.query(`INSERT INTO audit_chains (chain_id, started_at, host) SELECT id, started, 'bench' FROM unnest($1::text[], $2::text[]) AS c(id, started)`, [
    chains.map((c) => c.id),
    chains.map((c) => c.started),
  ]);
  await db.query(`INSERT INTO audit_index_progress (chain_id, indexed_seq) SELECT * FROM unnest($1::text[], $2::int[])`, [
    chains.map((c) => c.id),
    chains.map((c) => c.last),
  ]);
  await db.query(`INSERT INTO audit_chain_heads (chain_id, written_seq) SELECT * FROM unnest($1::text[], $2::int[])`, [
    chains.map((c) => c.id),
    chains.map((c) => c.last),
  ]);
  // Fresh planner statistics after a bulk load (autovacuum may be off, and should not be relied on).
  await db.query('ANALYZE audit_records');
  await db.query('ANALYZE audit_subject_index');
  await db.end();
  return { url: url.toString(), seconds: (Date.now() - started) / 1000 };
}

/**
 * Verified checkpoints as an earlier run left them: every chain verified to its end but those of
 * the day starting `dayStart` (a day's two chains), which are read whole. Read-only, so each timed
 * run reads the same day.
 */
async function checkpointsBefore(store: SqlAuditStore, url: string, dayStart: string): Promise<VerifiedCheckpoints> {
  const db = new Client({ connectionString: url, options: '-c search_path=audit' });
  await db.connect();
  const { rows } = await db.query<{ chain_id: string; seq: number; hash: string }>(
    `SELECT c.chain_id, x.seq, x.hash FROM audit_chains c
     CROSS JOIN LATERAL (SELECT seq, hash FROM audit_records r WHERE r.chain_id = c.chain_id ORDER BY seq DESC LIMIT 1) x
     WHERE c.started_at <> $1`,
    [dayStart],
  );
  await db.end();
  const map = new Map<string, VerifiedCheckpoint>(
    rows.map((r) => [r.chain_id, { chainId: r.chain_id, seq: Number(r.seq), hash: r.hash, verifiedAt: dayStart }]),
  );
  return { verifiedCheckpoints: async () => map, chainHeads: () => store.chainHeads(), recordVerified: async () => undefined };
}

/** A verify run over the day's chains; returns the records read. */
async function verifyDay(store: AuditStore, checkpoints: VerifiedCheckpoints): Promise<number> {
  const result = await verifyAllChains(store, { checkpoints });
  if (!result.ok) throw new Error(`generated store does not verify: ${JSON.stringify(result.chains.find((c) => !c.ok)?.bad.slice(0, 3))}`);
  return result.chains.reduce((n, c) => n + c.records, 0);
}

interface Row {
  label: string;
  bySize: Map<number, { ms: number; answer: string }>;
}

/** One generated store, opened as the gateway and the audit tools open it. */
interface Opened {
  size: number;
  url: string;
  store: SqlAuditStore;
  directory: Awaited<ReturnType<typeof openSubjectDirectory>>;
}

/**
 * The median of `runs` runs of `work` on each store, after one unmeasured run each. The stores
 * take turns run by run, so a slow spell of this shared machine falls on every size alike.
 */
async function measureRow(rows: Row[], label: string, stores: Opened[], runs: number, work: (o: Opened) => Promise<string>): Promise<void> {
  const answers = new Map<number, string>();
  const ms = new Map<number, number[]>(stores.map((o) => [o.size, []]));
  for (const o of stores) answers.set(o.size, await work(o));
  for (let i = 0; i < runs; i++) {
    for (const o of stores) {
      const t = process.hrtime.bigint();
      answers.set(o.size, await work(o));
      ms.get(o.size)!.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  rows.push({ label, bySize: new Map(stores.map((o) => [o.size, { ms: median(ms.get(o.size)!), answer: answers.get(o.size)! }])) });
  console.log(`  ${label}: ${stores.map((o) => `${median(ms.get(o.size)!).toFixed(1)} ms`).join(' / ')}`);
}

async function measure(stores: Opened[], rows: Row[]): Promise<void> {
  for (const [label, filter] of [
    [`auditEvents(subject: "${FREQUENT_SUBJECT}", limit: 50)`, { subject: FREQUENT_SUBJECT, limit: 50 }],
    [`auditEvents(subject: "${RARE_SUBJECT}") (3 records in all)`, { subject: RARE_SUBJECT, limit: 100 }],
    [`auditEvents(user: "${PROBE_USER}", limit: 50)`, { user: PROBE_USER, limit: 50 }],
    [`auditEvents(user: "${PROBE_USER}", from: a week ago)`, { user: PROBE_USER, from: new Date(END - 7 * DAY).toISOString(), limit: 100 }],
  ] as const) {
    await measureRow(rows, label, stores, 21, async (o) => `${(await o.store.query({ ...filter })).length} records`);
  }
  const roster = loadRoster(null);
  const week = { from: new Date(END - 7 * DAY), to: new Date(END) };
  await measureRow(
    rows,
    '`audit report` over the last week (with its 28-day baseline)',
    stores,
    5,
    async (o) => `${(await buildMisuseReport(o.store, o.directory, week, roster)).records} records in the week`,
  );
  // The daily run: every chain verified up to yesterday, today's records read.
  const today = new Map<number, VerifiedCheckpoints>();
  for (const o of stores) today.set(o.size, await checkpointsBefore(o.store, o.url, new Date(END - DAY).toISOString()));
  await measureRow(
    rows,
    "`audit verify`, the daily run (resumes from the last run's checkpoints)",
    stores,
    5,
    async (o) => `${await verifyDay(o.store, today.get(o.size)!)} records read`,
  );
  const large = stores.filter((o) => o.size > 10 * RECENT_RECORDS);
  if (large.length > 0) {
    // A day of the history, at the large store's full rate: what the daily run costs per record.
    const dense = new Map<number, VerifiedCheckpoints>();
    for (const o of large) dense.set(o.size, await checkpointsBefore(o.store, o.url, new Date(END - (RECENT_DAYS + 1) * DAY).toISOString()));
    await measureRow(
      rows,
      '`audit verify`, a daily run over a full day of the history',
      large,
      3,
      async (o) => `${await verifyDay(o.store, dense.get(o.size)!)} records read`,
    );
  }
}

async function dropDatabase(url: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const name = new URL(url).pathname.slice(1);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.end();
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const builds: string[] = [];
  const opened: Opened[] = [];
  const load = { before: '', after: '' };
  try {
    for (const size of SIZES) {
      console.log(`generating ${size.toLocaleString('en')} audit records…`);
      const { url, seconds } = await build(size);
      if (Number.isNaN(seconds)) builds.push(`${size.toLocaleString('en')} records: the store an earlier run generated (--reuse)`);
      else
        builds.push(
          `${size.toLocaleString('en')} records generated and written in ${seconds.toFixed(0)} s (${Math.round(size / seconds).toLocaleString('en')} records/s, hashing included)`,
        );
      console.log(builds[builds.length - 1]);
      // Opened as the gateway opens it (migrations run, partitions made ahead).
      const store = await SqlAuditStore.open({ kind: 'postgres', url }, 2);
      opened.push({ size, url, store, directory: await openSubjectDirectory({ kind: 'postgres', url }) });
    }
    load.before = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    await measure(opened, rows);
    load.after = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  } finally {
    for (const o of opened) {
      await o.directory.close();
      await o.store.close();
      if (!KEEP) await dropDatabase(o.url);
    }
  }
  const env = environment();
  const head = `| measured (p50) | ${SIZES.map((s) => `${s.toLocaleString('en')} records`).join(' | ')} | ${SIZES.length > 1 ? 'ratio |' : ''}`;
  const lines = rows.map((r) => {
    const cells = SIZES.map((s) => (r.bySize.has(s) ? `${r.bySize.get(s)!.ms.toFixed(1)} ms (${r.bySize.get(s)!.answer})` : '—'));
    return `| ${r.label} | ${cells.join(' | ')} |${SIZES.length > 1 ? ` ${Number.isNaN(ratio(r)) ? '—' : ratio(r).toFixed(2) + '×'} |` : ''}`;
  });
  const section = `## ${SIZES.map((n) => n.toLocaleString('en')).join(' and ')} records

\`node dist/bench/scale/audit-scale.js --sizes ${SIZES.join(',')}\` on ${new Date().toISOString().slice(0, 16)}Z;
${Object.entries(env)
  .map(([k, v]) => `${k}: ${v}`)
  .join('; ')}; load average while measuring: ${load.before} at the start, ${load.after} at the end.

Every store holds the same last ${RECENT_DAYS} days (${RECENT_RECORDS.toLocaleString('en')} records: the week a report reads and its
28-day baseline) and the rest over the ${HISTORY_DAYS} days before (a record a day in the 10,000 store), so every store has
as many monthly partitions. PostgreSQL, partitioned by month;
each figure the median of 21 runs (report: 5; verify: 5, the full day: 3), one at a time, the stores taking turns run by
run, in-process against the store
(what \`auditEvents\` resolves to, and what \`npm run -s audit -- report | verify\` run). Target: every ratio ≤ ${MAX_RATIO}×.

${builds.map((b) => `- ${b}`).join('\n')}

${head}
| --- | ${SIZES.map(() => '---:').join(' | ')} |${SIZES.length > 1 ? ' ---: |' : ''}
${lines.join('\n')}
`;
  const out = resolve(projectRoot(), arg('--out') ?? 'bench/results-scale-audit.md');
  writeFileSync(out, withHistory(section, existsSync(out) ? readFileSync(out, 'utf8') : ''));
  console.log(section);
  const over = rows.filter((r) => ratio(r) > MAX_RATIO);
  for (const r of over) console.error(`over ${MAX_RATIO}×: ${r.label} (${ratio(r).toFixed(2)}×)`);
  if (over.length > 0) process.exitCode = 1;
}

/** The largest store's p50 over the smallest's; NaN for a row measured on one store. */
function ratio(r: Row): number {
  const a = r.bySize.get(SIZES[0])?.ms;
  const b = r.bySize.get(SIZES[SIZES.length - 1])?.ms;
  return a && b && r.bySize.size > 1 ? b / a : NaN;
}

/**
 * The results file with this run on top and every earlier run kept below it, under "Earlier
 * runs" (the file is the runs' history as well as the current table).
 */
function withHistory(section: string, previous: string): string {
  const body = previous.replace(/^# .*\n+/, '');
  const [latest, earlier = ''] = body.split(/^## Earlier runs\n+/m);
  const demoted = latest.trim() ? latest.trimEnd().replace(/^## /gm, '### ') + '\n\n' : '';
  const history = demoted + earlier.trimEnd();
  return `${TITLE}\n\n${section}${history ? `\n## Earlier runs\n\n${history}\n` : ''}`;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
