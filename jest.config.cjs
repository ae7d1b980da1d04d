/** Test tiers: unit (pure, no network), storage (DynamoDB Local contract), http (assembled handlers), infra (CDK). */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2023' } }] };
const common = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(uuid|jose)/)'],
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/capture-logs.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  // DynamoDB Local tiers create tables and start servers in hooks; a loaded 2-core machine needs headroom.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'storage',
      testMatch: ['<rootDir>/test/storage/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'http',
      testMatch: ['<rootDir>/test/http/**/*.test.ts'],
    },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
  ],
};
