/**
 * Five jest projects (`npm run test:unit`, `test:train`, `test:integration`, `test:browser`, `test:install`;
 * `npm test` runs them all). Tests run TypeScript through ts-jest without type-checking
 * (`npm test` runs tsc first).
 *
 * - integration: real Strapi, PostgreSQL and Redis (test/server, test/bench, and doctor, which
 *   checks the real services).
 * - browser: the admin panel in Debian's chromium (test/admin).
 * - train: tests that train models for more than a few seconds, or caption with the tiny
 *   ShapesWorld bundle, which this project's global setup builds once per run.
 * - install: the packed plugin installed into a new Strapi app made by create-strapi (test/install;
 *   needs the npm registry, takes several minutes).
 * - unit: the rest; needs no services and trains nothing for long.
 */
const TRAIN = [
  'test/worker/train/corpus-train.test.ts',
  'test/worker/train/denoiser.test.ts',
  'test/worker/train/decoder.test.ts',
  'test/worker/train/memorise.test.ts',
  'test/worker/graph/clip.test.ts',
  'test/worker/bundle/import-clip.test.ts',
  'test/research/shapes/pipeline.test.ts',
  'test/research/shapes/levers.test.ts',
  'test/research/art/pipeline.test.ts',
  'test/cli/train.test.ts',
  'test/cli/eval.test.ts',
  'test/cli/demo.test.ts',
];
const INTEGRATION = ['test/server/', 'test/bench/', 'test/worker/doctor/'];
const BROWSER = ['test/admin/'];
const INSTALL = ['test/install/'];

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A path (a file, or a folder ending in /) as a testMatch glob and as a testPathIgnorePatterns regex. */
const glob = (p) => `<rootDir>/${p}${p.endsWith('/') ? '**/*.test.ts' : ''}`;
const regex = (p) => `^<rootDir>/${escapeRegex(p)}${p.endsWith('/') ? '' : '$'}`;

const common = {
  rootDir: __dirname,
  testEnvironment: '<rootDir>/test/jest-environment.js',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};

module.exports = {
  testTimeout: 300000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...[...TRAIN, ...INTEGRATION, ...BROWSER, ...INSTALL].map(regex)] },
    { ...common, displayName: 'train', testMatch: TRAIN.map(glob), globalSetup: '<rootDir>/test/setup/global-setup.ts', globalTeardown: '<rootDir>/test/setup/global-teardown.ts' },
    { ...common, displayName: 'integration', testMatch: INTEGRATION.map(glob) },
    { ...common, displayName: 'browser', testMatch: BROWSER.map(glob) },
    { ...common, displayName: 'install', testMatch: INSTALL.map(glob) },
  ],
};
