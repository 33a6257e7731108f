import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { seedStores } from '../../seed/src/seed-stores';

/**
 * Seeding PostgreSQL, timed and its CPU counted (issue 20): seeds a throwaway database
 * (`custodian_scale_seed_<N>`, dropped after) and prints the wall time of the load loop and of
 * what follows it (index builds, keys, ANALYZE), with the CPU seconds of this process (the
 * generator thread included) and of the PostgreSQL backends that served it. On this shared
 * 2-core host wall time follows whatever else runs; CPU seconds do not, or much less.
 *
 *   node dist/bench/scale/seed-time.js [--persons 300000] [--pg-url postgres://…/postgres] [--keep] [--set name=value]
 *
 * `--set` (repeatable) gives the database a setting for every session (ALTER DATABASE … SET), to
 * try one (synchronous_commit=off, maintenance_work_mem=1GB) without changing the code.
 */

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const PERSONS = Number(arg('--persons') ?? 300_000);
const ADMIN_URL = arg('--pg-url') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const KEEP = process.argv.includes('--keep');
const SETTINGS = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--set' ? [a.split('=')] : []));
/** Clock ticks a second, as /proc/<pid>/stat counts CPU time (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) of a process so far, from /proc; null once it has exited. */
function procCpu(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted from the state (field 3) here.
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

/**
 * The CPU seconds of every backend of a database, parallel workers included: polled, since a
 * backend's counters go with it when it exits. Misses at most the last poll interval of each.
 */
class BackendCpu {
  private readonly seen = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly admin: Client,
    private readonly database: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 200);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { rows } = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
        this.database,
      ]);
      for (const { pid } of rows) {
        const cpu = procCpu(pid);
        if (cpu !== null) this.seen.set(pid, Math.max(cpu, this.seen.get(pid) ?? 0));
      }
      for (const pid of this.seen.keys()) {
        const cpu = procCpu(pid);
        if (cpu !== null) this.seen.set(pid, Math.max(cpu, this.seen.get(pid)!));
      }
    } finally {
      this.polling = false;
    }
  }

  async stop(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    await this.poll();
    return [...this.seen.values()].reduce((a, b) => a + b, 0);
  }
}

async function main(): Promise<void> {
  const database = `custodian_scale_seed_${PERSONS}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`CREATE DATABASE ${database}`);
  for (const [name, value] of SETTINGS) {
    if (!/^[a-z_.]+$/.test(name ?? '') || value === undefined) throw new TypeError(`--set takes name=value, got ${name}=${value}`);
    await admin.query(`ALTER DATABASE ${database} SET ${name} = '${value.replace(/'/g, "''")}'`);
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const backends = new BackendCpu(admin, database);
  const load = loadavg();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let loopEnd = 0;
  let loopCpu = 0;
  let loopBackendCpu = 0;
  backends.start();
  try {
    await seedStores(
      { kind: 'postgres', url: url.toString() },
      {
        persons: PERSONS,
        seedDate: new Date('2026-06-15T00:00:00Z'),
        idKey: 'seed-time-bench-key',
        onProgress: (done, total) => {
          if (done < total) return;
          loopEnd = Date.now();
          const c = process.cpuUsage(cpu0);
          loopCpu = (c.user + c.system) / 1e6;
          void backends.stop().then((s) => {
            loopBackendCpu = s;
            backends.start();
          });
        },
      },
    );
  } finally {
    const end = Date.now();
    const c = process.cpuUsage(cpu0);
    const backendCpu = await backends.stop();
    const wall = (end - t0) / 1000;
    const fmt = (n: number) => n.toFixed(1);
    console.log(
      [
        `persons ${PERSONS.toLocaleString('en')}: whole ${fmt(wall)} s (${Math.round(PERSONS / wall).toLocaleString('en')}/s),`,
        `loop ${fmt((loopEnd - t0) / 1000)} s (${Math.round(PERSONS / ((loopEnd - t0) / 1000)).toLocaleString('en')}/s), after the loop ${fmt((end - loopEnd) / 1000)} s;`,
        `CPU: node ${fmt((c.user + c.system) / 1e6)} s (loop ${fmt(loopCpu)}), PostgreSQL ${fmt(backendCpu)} s (loop ${fmt(loopBackendCpu)});`,
        SETTINGS.length ? `settings ${SETTINGS.map((kv) => kv.join('=')).join(', ')};` : '',
        `load average ${load.map((l) => l.toFixed(2)).join(' ')} before, ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} after`,
      ].join(' '),
    );
    if (!KEEP) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    }
    await admin.end();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
