/** Tests run through ts-jest in transpile-only mode; `npm test` type-checks everything with tsc first. */
module.exports = {
  testEnvironment: 'node',
  roots: ["<rootDir>/test"],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  // The example app imports the package by name, as an app would; tests run it from the sources.
  moduleNameMapper: { '^pexip-telehealth-cdktf$': '<rootDir>/src/index.ts' },
  testTimeout: 30000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
