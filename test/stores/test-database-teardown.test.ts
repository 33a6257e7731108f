import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { cleanUpRunFolder, dropDatabasesWithPrefix } from '../support/global-teardown';
import { RUN_TMPDIR_PREFIX, RUN_TMPDIR_VARIABLE } from '../support/test-run';
import { describeWithPostgres, POSTGRES_ADMIN_URL } from '../support/postgres';

/** Issue 25: `npm test` leaves no throw-away PostgreSQL database behind, and touches no other run's. */
describeWithPostgres("the test run's database teardown", () => {
  const admin = () => new Client({ connectionString: POSTGRES_ADMIN_URL! });
  const exists = async (name: string) => {
    const c = admin();
    await c.connect();
    try {
      return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    } finally {
      await c.end();
    }
  };

  // Its own run prefix: dropping this whole run's databases here would pull them from under other files.
  it("drops every database of a run, and leaves another run's", async () => {
    const prefix = `custodian_test_probe${process.pid}_`;
    const ours = `${prefix}teardown`;
    const theirs = 'custodian_test_otherrun_teardown_probe';
    const c = admin();
    await c.connect();
    try {
      for (const name of [ours, theirs]) await c.query(`CREATE DATABASE ${name}`);
      // Held open, as a stack that did not stop would hold it.
      const holder = new Client({ connectionString: POSTGRES_ADMIN_URL!.replace(/\/[^/]*$/, `/${ours}`) });
      await holder.connect();
      holder.on('error', () => undefined);
      await dropDatabasesWithPrefix(POSTGRES_ADMIN_URL!, prefix);
      expect(await exists(ours)).toBe(false);
      expect(await exists(theirs)).toBe(true);
    } finally {
      await c.query(`DROP DATABASE IF EXISTS custodian_test_otherrun_teardown_probe`);
      await c.end();
    }
  });
});

/** Issue 25: `npm test` leaves no file and no process behind either. */
describe("the test run's folder and processes", () => {
  it('puts every temporary file of the run under its own folder, in the workers and in what they start', () => {
    const runDir = process.env[RUN_TMPDIR_VARIABLE];
    expect(runDir).toBeTruthy();
    expect(tmpdir()).toBe(runDir);
  });

  it("kills the processes a run left and removes its folder, and leaves another run's alone", async () => {
    const ours = mkdtempSync(join(tmpdir(), RUN_TMPDIR_PREFIX));
    const theirs = mkdtempSync(join(tmpdir(), RUN_TMPDIR_PREFIX));
    writeFileSync(join(ours, 'left-behind.sqlite'), 'x');
    const start = (dir: string) => {
      const child = spawn('sleep', ['120'], { env: { ...process.env, [RUN_TMPDIR_VARIABLE]: dir }, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      return { child, exited };
    };
    const left = start(ours);
    const other = start(theirs);
    try {
      // The child's environment is readable once it runs.
      while (!existsSync(`/proc/${left.child.pid}/environ`) || !existsSync(`/proc/${other.child.pid}/environ`)) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      const killed = cleanUpRunFolder(ours);
      expect(killed.map((p) => p.pid)).toEqual([left.child.pid]);
      expect(await left.exited).toBe('SIGKILL');
      expect(existsSync(ours)).toBe(false);
      expect(other.child.exitCode).toBeNull();
      expect(existsSync(theirs)).toBe(true);
    } finally {
      other.child.kill('SIGKILL');
      left.child.kill('SIGKILL');
      cleanUpRunFolder(theirs);
    }
  });

  it('refuses a folder that is not a run folder', () => {
    expect(() => cleanUpRunFolder('/tmp')).toThrow(/not a test run/);
  });
});
