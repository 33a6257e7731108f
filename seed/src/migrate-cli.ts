import { str } from 'envalid';
import { readEnv, storeLocationFrom } from '../../platform/src';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { SUBGRAPHS } from '../../subgraphs';
import { syncAddressProtections } from './address-protection-sync';

/**
 * `npm run db:migrate`: applies every store's pending migrations (the three record stores and the
 * audit log) and exits. Services also migrate at start; this is for deployments that migrate
 * before rolling out.
 */
async function main(): Promise<void> {
  const env = readEnv({ DATA_DIR: str({ default: 'data' }), DATABASE_URL: str({ default: '' }) });
  const location = storeLocationFrom(env.DATABASE_URL, env.DATA_DIR);
  for (const [name, module] of Object.entries(SUBGRAPHS)) {
    const store = await module.openStore(location);
    await store.close();
    console.log(`migrated ${name}`);
  }
  // Criminal-history learns whom the orders protect once; until then its addresses stay closed.
  const orders = await SUBGRAPHS.orders.openStore(location);
  const criminalHistory = await SUBGRAPHS['criminal-history'].openStore(location);
  try {
    const synced = await syncAddressProtections(orders, criminalHistory);
    if (synced !== null) console.log(`synced ${synced} address protections from orders to criminal-history`);
  } finally {
    await Promise.all([orders.close(), criminalHistory.close()]);
  }
  const audit = await SqlAuditStore.open(location, 1);
  await audit.close();
  console.log('migrated audit');
}

main().catch((error: Error) => {
  console.error(`db:migrate failed: ${error.message}`);
  process.exit(1);
});
