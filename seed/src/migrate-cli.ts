import { str } from 'envalid';
import { readEnv, storeLocationFrom } from '../../platform/src';
import { SqlAuditStore } from '../../gateway/src/audit/sql-audit-store';
import { SUBGRAPHS } from '../../subgraphs';

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
  const audit = await SqlAuditStore.open(location, 1);
  await audit.close();
  console.log('migrated audit');
}

main().catch((error: Error) => {
  console.error(`db:migrate failed: ${error.message}`);
  process.exit(1);
});
