/**
 * The prefix of this test run's throw-away PostgreSQL databases: global-setup.ts names the run
 * (CUSTODIAN_TEST_RUN), freshDatabase uses it, and global-teardown.ts drops every database with it.
 * Runs going on at the same time on one server have different prefixes.
 */
export function testDatabasePrefix(): string {
  return `custodian_test_${process.env.CUSTODIAN_TEST_RUN ?? 'x'}_`;
}

/** Names of this run's temporary folder (global-setup.ts makes it, global-teardown.ts removes it). */
export const RUN_TMPDIR_PREFIX = 'custodian-test-run-';
/** The variable holding it, in the test workers and every process they start. */
export const RUN_TMPDIR_VARIABLE = 'CUSTODIAN_TEST_TMPDIR';
