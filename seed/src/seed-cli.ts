import { readSeedConfig } from './seed-config';
import { resetRecordStores, seedStores } from './seed-stores';

/** `npm run db:seed [-- --reset]`: seeds the record stores (SQLite under DATA_DIR, or DATABASE_URL). */
async function main(): Promise<void> {
  const config = readSeedConfig();
  if (process.argv.includes('--reset')) {
    await resetRecordStores(config.store);
    console.log('record stores reset');
  }
  const started = Date.now();
  const result = await seedStores(config.store, {
    persons: config.persons,
    seedDate: config.seedDate,
    idKey: config.idKey,
    onProgress: (done, total) => console.log(`seeding: ${done}/${total} persons`),
  });
  if (!result.seeded) console.log(`stores already seeded (${result.persons} persons); nothing to do`);
  else console.log(`seeded ${result.persons} persons, ${result.orders} orders, ${result.alerts} alerts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: Error) => {
  console.error(`db:seed failed: ${error.message}`);
  process.exit(1);
});
