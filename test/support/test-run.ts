/**
 * The prefix of this test run's throw-away PostgreSQL databases: global-setup.ts names the run
 * (CUSTODIAN_TEST_RUN), freshDatabase uses it, and global-teardown.ts drops every database with it.
 * Runs going on at the same time on one server have different prefixes.
 */
export function testDatabasePrefix(): string {
  return `custodian_test_${process.env.CUSTODIAN_TEST_RUN ?? 'x'}_`;
}
