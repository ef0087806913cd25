/** @type {import('jest').Config} */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] };

module.exports = {
  // Integration tests share one Temporal dev server (started once in globalSetup) but each
  // test file runs its own worker on its own task queue, so files stay independent.
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      transform,
    },
    {
      // Recorded histories against today's workflow code; needs no server.
      displayName: 'replay',
      testMatch: ['<rootDir>/tests/replay/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/tests/support/integration-setup.ts'],
      transform,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/support/integration-setup.ts'],
    },
    {
      // Time-skipping tests on the Java test server (temporal-dev/test-server.ts); each file
      // starts its own server. Keep the files few: jest has no per-project maxWorkers, and
      // time-skipping tests must not share a server's clock.
      displayName: 'workflow',
      testMatch: ['<rootDir>/tests/workflow/**/*.test.ts'],
      transform,
      setupFilesAfterEnv: ['<rootDir>/tests/support/integration-setup.ts'],
    },
  ],
  maxWorkers: 2,
};
