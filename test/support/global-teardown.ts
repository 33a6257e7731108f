import { Client } from 'pg';
import { testDatabasePrefix } from './test-run';

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
 * Runs once after every test file: drops the throw-away PostgreSQL databases this run created
 * (`custodian_test_<run>_…`), whether or not their files got to drop them. Another run's
 * databases, going on at the same time, have another prefix and are left alone.
 */
export default async function globalTeardown(): Promise<void> {
  if (process.env.CUSTODIAN_TEST_PG) await dropDatabasesWithPrefix(process.env.CUSTODIAN_TEST_PG, testDatabasePrefix());
}
