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
  ],
  maxWorkers: 2,
};
