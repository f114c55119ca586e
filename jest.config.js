/** Jest runs every suite against real dependencies: a Temporal dev server started once in globalSetup,
 * the sandbox gateway on loopback, PostgreSQL on 127.0.0.1:5432 and PGlite. Serial on purpose: 2 cores. */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    // content-disposition 3 (under @fastify/swagger-ui) is ESM only; jest's CommonJS runtime needs it compiled.
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/tools', '<rootDir>/.data'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 1,
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
