import { Client } from 'pg';
import { seedStores } from '../../seed/src/seed-stores';
import { SUBGRAPHS } from '../../subgraphs';
import { describeWithPostgres, dropTestDatabases, freshDatabase } from '../support/postgres';

/** Tables of the record stores PostgreSQL has no statistics for (never analysed). */
async function unanalysed(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT schemaname || '.' || relname AS t FROM pg_stat_user_tables
       WHERE schemaname IN ('criminal_history', 'orders', 'alerts') AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY 1`,
    );
    return rows.map((r) => r.t as string);
  } finally {
    await client.end();
  }
}

async function explain(url: string, sql: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`EXPLAIN ${sql}`);
    return rows.map((r) => r['QUERY PLAN'] as string).join('\n');
  } finally {
    await client.end();
  }
}

/** Issue 20: a bulk load must not leave the planner guessing (autovacuum may be off, as here). */
describeWithPostgres('PostgreSQL: planner statistics after seeding and migrations', () => {
  afterAll(() => dropTestDatabases());

  it('leaves every record store analysed after migrating a new store, and again after seeding it', async () => {
    const url = await freshDatabase();
    for (const module of Object.values(SUBGRAPHS)) await (await module.openStore({ kind: 'postgres', url })).close();
    expect(await unanalysed(url)).toEqual([]);
    await seedStores({ kind: 'postgres', url }, { persons: 3000, seedDate: new Date('2026-06-15T00:00:00Z') });
    expect(await unanalysed(url)).toEqual([]);
    // With them the charges of one person's arrests are read through the indexes, not scanned.
    const plan = await explain(
      url,
      "SELECT c.* FROM criminal_history.charges c JOIN criminal_history.arrests a ON a.id = c.arrest_id WHERE a.person_id = 'A10000001'",
    );
    expect(plan).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
    expect(plan).not.toMatch(/Seq Scan on charges/);
    // A last name alone is read off the index that leads with it and the date of birth (criminal-history migration 7).
    const byLastName = await explain(url, "SELECT id FROM criminal_history.persons WHERE last_norm = 'SMITH'");
    expect(byLastName).toMatch(/persons_last_norm_dob/);
  }, 120_000);
});
