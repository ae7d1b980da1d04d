/**
 * Test tiers: unit (pure, no network), storage (DynamoDB Local contract), http (assembled handlers), infra (CDK),
 * browser (the admin console in headless Chromium).
 * The code is ESM (`"type": "module"`): SWC keeps `import`/`export` and jest runs the files as native ES modules
 * (`NODE_OPTIONS=--experimental-vm-modules`, set by the npm scripts).
 */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { target: 'es2023', experimental: { keepImportAttributes: true } }, module: { type: 'es6' } },
  ],
};
const common = {
  transform,
  extensionsToTreatAsEsm: ['.ts'],
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
    { ...common, displayName: 'storage', testMatch: ['<rootDir>/test/storage/**/*.test.ts'] },
    { ...common, displayName: 'http', testMatch: ['<rootDir>/test/http/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    // The admin console in headless Chromium (Debian's /usr/bin/chromium, playwright-core); see docs/console.md.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
