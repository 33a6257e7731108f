import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { RUN_TMPDIR_VARIABLE, RUN_TMPDIR_PREFIX } from './test-run';

/** The Redis the shared rate-limit test uses (the machines run one). */
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(url: string): Promise<boolean> {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * CI (CI=1, or REQUIRE_POSTGRES=1, which `.ci/run` sets) runs every test: a backing service that
 * does not answer fails the run instead of letting its tests skip unseen.
 */
function everyTestRequired(): boolean {
  return process.env.CI === '1' || process.env.CI === 'true' || process.env.REQUIRE_POSTGRES === '1';
}

/** Where tests create their throw-away PostgreSQL databases. */
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Runs once before every test file: finds out whether Redis and PostgreSQL answer, and tells the
 * test workers through CUSTODIAN_TEST_REDIS and CUSTODIAN_TEST_PG. In CI (CI=1 or
 * REQUIRE_POSTGRES=1) a missing server fails the run here, loudly, instead of letting its tests skip.
 */
export default async function globalSetup(): Promise<void> {
  // Names this run's throw-away databases, so the teardown drops them and no other run's.
  process.env.CUSTODIAN_TEST_RUN = String(process.pid);
  // Every temporary file of the run — the tests', their stacks' data folders, Chromium's profiles —
  // goes under one folder that global-teardown.ts removes: os.tmpdir() reads TMPDIR, in the test
  // workers and in every process they start, which inherit it.
  const runDir = mkdtempSync(join(tmpdir(), RUN_TMPDIR_PREFIX));
  process.env[RUN_TMPDIR_VARIABLE] = runDir;
  process.env.TMPDIR = runDir;
  process.env.CUSTODIAN_TEST_REDIS = (await redisAnswers(REDIS_TEST_URL)) ? REDIS_TEST_URL : '';
  if (!process.env.CUSTODIAN_TEST_REDIS) {
    if (everyTestRequired())
      throw new Error(`CI=1 but Redis does not answer at ${REDIS_TEST_URL}: the shared rate-limit test cannot run (.ci/run starts redis-server)`);
    console.warn(`\nRedis is not reachable at ${REDIS_TEST_URL}: the shared rate-limit test will be SKIPPED (CI=1 makes this a failure)\n`);
  }
  const client = new Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.CUSTODIAN_TEST_PG = PG_ADMIN_URL;
  } catch (error) {
    process.env.CUSTODIAN_TEST_PG = '';
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL does not answer at ${PG_ADMIN_URL}: ${(error as Error).message}`, { cause: error });
    }
    console.warn(`\nPostgreSQL is not reachable at ${PG_ADMIN_URL}: its tests will be SKIPPED (set REQUIRE_POSTGRES=1 to fail instead)\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
