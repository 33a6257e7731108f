import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testDatabasePrefix } from './test-run';

/** The admin URL when PostgreSQL answered at the start of the run, else null (see global-setup.ts). */
export const POSTGRES_ADMIN_URL: string | null = process.env.CUSTODIAN_TEST_PG || null;

/** `describe` when PostgreSQL is here, `describe.skip` (with a visible message) when it is not and not required. */
export const describeWithPostgres: jest.Describe = POSTGRES_ADMIN_URL ? describe : describe.skip;
if (!POSTGRES_ADMIN_URL) console.warn('SKIPPED: PostgreSQL tests (no server; REQUIRE_POSTGRES=1 makes this a failure)');

const created: string[] = [];

/** A fresh, empty database for one test file; dropped by `dropTestDatabases`. */
export async function freshDatabase(): Promise<string> {
  if (!POSTGRES_ADMIN_URL) throw new Error('PostgreSQL is not available');
  const name = `${testDatabasePrefix()}${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  created.push(name);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the databases this file created (connections still open are terminated). */
export async function dropTestDatabases(): Promise<void> {
  if (!POSTGRES_ADMIN_URL || created.length === 0) return;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    for (const name of created.splice(0)) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    }
  } finally {
    await admin.end();
  }
}
