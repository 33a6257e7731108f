import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { RUN_TMPDIR_PREFIX, RUN_TMPDIR_VARIABLE, testDatabasePrefix } from './test-run';

/** Drops every database whose name starts with `prefix`, ending the connections still open to it. */
export async function dropDatabasesWithPrefix(adminUrl: string, prefix: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [datname]);
      await admin.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '')}"`);
    }
  } finally {
    await admin.end();
  }
}

/**
 * Processes started under this run (they carry its folder in their environment) that are still
 * alive, jest's own aside: a stack a test failed to stop, a server it forgot. Linux (/proc) only.
 */
export function processesOfRun(runDir: string): Array<{ pid: number; command: string }> {
  const marker = `${RUN_TMPDIR_VARIABLE}=${runDir}`;
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (/jest/.test(command)) continue;
      found.push({ pid, command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/**
 * Ends what a run left: kills its processes still alive (naming them, so the test that left them
 * gets fixed) and removes its temporary folder, which held every file its tests made.
 */
export function cleanUpRunFolder(runDir: string): Array<{ pid: number; command: string }> {
  if (!runDir.split('/').pop()?.startsWith(RUN_TMPDIR_PREFIX)) throw new Error(`not a test run's folder: ${runDir}`);
  const left = processesOfRun(runDir);
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(runDir, { recursive: true, force: true });
  return left;
}

/**
 * Runs once after every test file: removes the run's temporary folder and any process left
 * under it, and drops the throw-away PostgreSQL databases this run created
 * (`custodian_test_<run>_…`), whether or not their files got to drop them. Another run's
 * databases, going on at the same time, have another prefix and are left alone.
 */
export default async function globalTeardown(): Promise<void> {
  const runDir = process.env[RUN_TMPDIR_VARIABLE];
  if (runDir) {
    const left = cleanUpRunFolder(runDir);
    for (const { pid, command } of left) console.warn(`test run left process ${pid} running (killed): ${command.slice(0, 200)}`);
  }
  if (process.env.CUSTODIAN_TEST_PG) await dropDatabasesWithPrefix(process.env.CUSTODIAN_TEST_PG, testDatabasePrefix());
}
