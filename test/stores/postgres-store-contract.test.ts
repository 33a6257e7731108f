import { describeStoreContract } from './store-contract';
import { describeWithPostgres, dropTestDatabases, freshDatabase } from '../support/postgres';

/** The same contract as SQLite's, against the real PostgreSQL server, in a fresh database. */
describeWithPostgres('PostgreSQL adapter', () => {
  afterAll(() => dropTestDatabases());
  describeStoreContract('PostgreSQL', async () => ({ kind: 'postgres', url: await freshDatabase() }));
});
