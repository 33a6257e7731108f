import { freePort } from '../support/free-port';

type GlobalSetup = () => Promise<void>;

/** Loads test/support/global-setup.ts afresh, with the environment as it is now (it reads REDIS_TEST_URL when loaded). */
async function freshGlobalSetup(): Promise<GlobalSetup> {
  let setup!: GlobalSetup;
  await jest.isolateModulesAsync(async () => {
    setup = (await import('../support/global-setup')).default;
  });
  return setup;
}

describe('in CI the Redis-backed rate-limit test runs: a missing Redis fails the run instead of skipping it', () => {
  const saved = { ...process.env };
  let noRedis: string;
  beforeAll(async () => {
    // A port nothing listens on.
    noRedis = `redis://127.0.0.1:${await freePort()}`;
  });
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it.each([{ CI: '1' }, { CI: 'true' }, { REQUIRE_POSTGRES: '1' }])('%p and no Redis: the run fails, naming Redis and the URL', async (ci) => {
    delete process.env.CI;
    delete process.env.REQUIRE_POSTGRES;
    Object.assign(process.env, ci, { REDIS_TEST_URL: noRedis });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect((await freshGlobalSetup())()).rejects.toThrow(`Redis does not answer at ${noRedis}`);
    } finally {
      warn.mockRestore();
    }
  });

  it('outside CI and no Redis: the run goes on, and the shared rate-limit test is skipped with a warning', async () => {
    delete process.env.CI;
    delete process.env.REQUIRE_POSTGRES;
    process.env.REDIS_TEST_URL = noRedis;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await (
        await freshGlobalSetup()
      )();
      expect(process.env.CUSTODIAN_TEST_REDIS).toBe('');
      expect(warn.mock.calls.flat().join(' ')).toMatch(/Redis is not reachable .* SKIPPED/s);
    } finally {
      warn.mockRestore();
    }
  });
});
