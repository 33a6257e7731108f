import { num, str } from 'envalid';
import { ConfigError, readEnv, storeLocationFrom, type StoreLocation } from '../../platform/src';

/** What seeding reads from the environment. */
export interface SeedConfig {
  store: StoreLocation;
  persons: number;
  seedDate: Date;
  /** Secret key of arrest and alert ids (SEED_ID_KEY); undefined: a random one per seeding. */
  idKey: string | undefined;
}

/** Reads SEED_PERSONS, SEED_DATE, SEED_ID_KEY, DATA_DIR and DATABASE_URL once; throws naming a bad one. */
export function readSeedConfig(env: NodeJS.ProcessEnv = process.env): SeedConfig {
  const e = readEnv(
    {
      DATA_DIR: str({ default: 'data' }),
      DATABASE_URL: str({ default: '' }),
      SEED_PERSONS: num({ default: 10_000 }),
      SEED_DATE: str({ default: '' }),
      SEED_ID_KEY: str({ default: '' }),
    },
    env,
  );
  if (!Number.isInteger(e.SEED_PERSONS) || e.SEED_PERSONS < 7) throw new ConfigError('SEED_PERSONS: must be an integer of at least 7');
  const seedDate = e.SEED_DATE ? new Date(e.SEED_DATE) : new Date();
  if (Number.isNaN(seedDate.getTime())) throw new ConfigError('SEED_DATE: must be an ISO date');
  if (e.SEED_ID_KEY && e.SEED_ID_KEY.length < 16) throw new ConfigError('SEED_ID_KEY: must be at least 16 characters');
  return { store: storeLocationFrom(e.DATABASE_URL, e.DATA_DIR), persons: e.SEED_PERSONS, seedDate, idKey: e.SEED_ID_KEY || undefined };
}
