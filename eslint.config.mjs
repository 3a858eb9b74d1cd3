/**
 * ESLint for the whole repository (`npm run lint`, part of `npm test`).
 *
 * - typescript-eslint's recommended rules, plus the type-aware promise rules that catch real bugs in
 *   a queue worker and a server (a floating promise, an async callback where a void one is expected,
 *   awaiting a non-promise); the React hook rules in admin/; `any` is allowed in tests (HTTP bodies),
 *   not in the product.
 * - Import boundaries, the layers of the README's layout, lowest first:
 *     worker/    the engine: imports nothing above it and no Strapi, BullMQ, Redis, PostgreSQL or React
 *     research/  ShapesWorld, eval, report: the engine only
 *     server/    Strapi glue: the engine (and packages), nothing from cli/, research/, bench/, admin/
 *     bench/     benchmarks: anything below the command line
 *     cli/       the command line: anything (it may start the Strapi-side consumer)
 *     admin/     browser code: *types* from server/ and worker/, values from neither
 *   and nothing but test/ imports from test/. The rule is applied per folder depth, so that a
 *   relative import is matched exactly against the folder it reaches at the repository root.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SOURCES = '{ts,tsx,js,mjs,cjs}';

/** Packages the engine and the research code never import: the plugin's runtime and the browser's. */
const PLUGIN_PACKAGES = ['@strapi/*', 'bullmq', 'bullmq/*', 'ioredis', 'pg', 'pg/*', 'react', 'react/*', 'react-dom', 'react-dom/*', 'react-router-dom', 'styled-components'];

/**
 * Per layer: folders it must not import at all, folders it may import types from only, and
 * packages it must not import. A folder not named is allowed.
 */
const LAYERS = {
  worker: { forbid: ['server', 'cli', 'research', 'bench', 'admin', 'test'], packages: PLUGIN_PACKAGES },
  research: { forbid: ['server', 'cli', 'bench', 'admin', 'test'], packages: PLUGIN_PACKAGES },
  server: { forbid: ['cli', 'research', 'bench', 'admin', 'test'] },
  bench: { forbid: ['cli', 'admin', 'test'] },
  cli: { forbid: ['admin', 'test'] },
  admin: { forbid: ['cli', 'research', 'bench', 'test'], typesOnly: ['server', 'worker'] },
};

const WHY = {
  worker: 'worker/ is the engine: it imports nothing from the layers above it (README, Layout)',
  research: 'research/ builds on the engine only (README, Layout)',
  server: 'server/ is the Strapi glue: it imports the engine, not the command line, research, benchmarks or the admin panel (README, Layout)',
  bench: 'bench/ may use the engine, research and the server, not the command line, the admin panel or tests',
  cli: 'cli/ imports any layer but the admin panel and tests',
  admin: 'admin/ is browser code: it takes types (import type) from server/ and worker/, never values, and nothing from cli/, research/, bench/ or test/',
};

const MAX_DEPTH = 8;

/** One config block per folder depth: `(../){depth}` from a file at that depth is the repository root. */
function boundaries(layer, { forbid, typesOnly = [], packages = [] }) {
  return Array.from({ length: MAX_DEPTH }, (_, i) => {
    const depth = i + 1;
    const up = `^(?:\\./)?(?:\\.\\./){${depth}}`;
    const patterns = [];
    if (forbid.length) patterns.push({ regex: `${up}(?:${forbid.join('|')})(?:/|$)`, message: WHY[layer] });
    if (typesOnly.length) patterns.push({ regex: `${up}(?:${typesOnly.join('|')})(?:/|$)`, allowTypeImports: true, message: WHY[layer] });
    if (packages.length) patterns.push({ group: packages, message: `${WHY[layer]}; no Strapi, queue, database or browser packages` });
    // import() and require() escape no-restricted-imports; the same folders, as syntax ("/" written \x2F for esquery).
    const loads = [...forbid, ...typesOnly];
    const source = `/^(?:\\.\\x2F)?(?:\\.\\.\\x2F){${depth}}(?:${loads.join('|')})(?:\\x2F|$)/`;
    const syntax = loads.length
      ? [
          { selector: `ImportExpression[source.value=${source}]`, message: WHY[layer] },
          { selector: `CallExpression[callee.name="require"][arguments.0.value=${source}]`, message: WHY[layer] },
        ]
      : [];
    return {
      name: `altbridge/boundaries/${layer}/depth-${depth}`,
      files: [`${layer}/${'*/'.repeat(depth - 1)}*.${SOURCES}`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': ['error', ...syntax] },
    };
  });
}

export default defineConfig(
  {
    name: 'altbridge/ignores',
    // What .gitignore and example/.gitignore list, and the committed bundles and reports.
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'runs/**',
      'coverage/**',
      'test-artifacts/**',
      '.cache/**',
      'models/**',
      'reports/**',
      'example/{.tmp,.strapi,dist,build,database,.altbridge,types}/**',
      'example/public/uploads/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'altbridge/commonjs',
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Type-aware, so the TypeScript program of tsconfig.json is built (about 12 s of CPU). Not for
    // admin/: its only findings were async onClick handlers, which catch their own errors.
    name: 'altbridge/typescript',
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['admin/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `_name` marks a parameter kept for its position (tsc's noUnusedParameters agrees).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    name: 'altbridge/admin',
    files: ['admin/**/*.tsx', 'admin/**/*.ts'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    name: 'altbridge/cli',
    files: [`cli/**/*.${SOURCES}`],
    // The command line loads Strapi-side and benchmark modules lazily with require() (tsx runs it as CommonJS).
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    name: 'altbridge/tests',
    files: [`test/**/*.${SOURCES}`],
    languageOptions: { globals: globals.node },
    // Tests read HTTP bodies and Strapi internals whose types the test does not own.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  Object.entries(LAYERS).flatMap(([layer, rules]) => boundaries(layer, rules)),
);
