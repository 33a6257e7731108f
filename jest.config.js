/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `npm run build`'s job (it runs first in `npm test`); here only transpile.
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // double-metaphone is published as ES modules only; let ts-jest turn it into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!double-metaphone/)'],
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // End-to-end suites start real processes; one worker per core keeps them from starving each other.
  maxWorkers: 2,
};
