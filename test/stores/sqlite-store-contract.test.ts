import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreContract } from './store-contract';

describeStoreContract('SQLite', async () => ({ kind: 'sqlite', dataDir: mkdtempSync(join(tmpdir(), 'custodian-store-')) }));
