/** Tests run TypeScript through ts-jest without type-checking (`npm test` runs tsc first). */
module.exports = {
  testEnvironment: '<rootDir>/test/jest-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 300000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
