import { Client } from 'pg';
import { dropDatabasesWithPrefix } from '../support/global-teardown';
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
