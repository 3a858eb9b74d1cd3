/**
 * The import boundaries of eslint.config.mjs hold: `npm run lint` fails on an import that runs back
 * up the layers (the engine reaching for the server, the command line or a queue package; the
 * admin panel taking a value from the server), and passes the imports the layout allows.
 * ESLint's Node API lints each snippet as if it were the named file, in a child process (ESLint
 * loads its ESM config with import(), which jest's module sandbox does not offer), with the
 * repository's own config minus the type-aware rules (snippets are not in a TypeScript program).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

interface Case {
  file: string;
  code: string;
}
interface Message {
  ruleId: string | null;
  message: string;
  line: number;
}

const LINT = `
import * as fs from 'node:fs';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
const out = [];
for (const c of cases) {
  const [r] = await eslint.lintText(c.code, { filePath: c.file, warnIgnored: true });
  out.push(r.messages.map((m) => ({ ruleId: m.ruleId, message: m.message, line: m.line })));
}
process.stdout.write(JSON.stringify(out));
`;

/** The messages ESLint gives each case, in order. */
function lint(cases: Case[]): Message[][] {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', LINT], { cwd: ROOT, input: JSON.stringify(cases), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`eslint child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Message[][];
}

const BOUNDARY = /^(@typescript-eslint\/no-restricted-imports|no-restricted-syntax)$/;
const rules = (ms: Message[]) => ms.map((m) => m.ruleId);

/** Imports that run back up the layers, each with the reason the error must give. */
const violations: [string, Case, RegExp][] = [
  ['the engine importing the server', { file: 'worker/x.ts', code: "import { getService } from '../server/src/utils';\nexport const f = getService;\n" }, /worker\/ is the engine/],
  [
    'the engine, two folders down, importing the command line',
    { file: 'worker/graph/x.ts', code: "import { parseArgs } from '../../cli/args';\nexport const f = parseArgs;\n" },
    /worker\/ is the engine/,
  ],
  ['the engine re-exporting research code', { file: 'worker/bundle/x.ts', code: "export { sampleScene } from '../../research/shapes/scene';\n" }, /worker\/ is the engine/],
  ['the engine importing BullMQ', { file: 'worker/x.ts', code: "import { Queue } from 'bullmq';\nexport const q = Queue;\n" }, /no Strapi, queue, database or browser packages/],
  [
    'the engine importing even a Strapi type',
    { file: 'worker/x.ts', code: "import type { Core } from '@strapi/strapi';\nexport type S = Core.Strapi;\n" },
    /no Strapi, queue, database or browser packages/,
  ],
  ['the engine loading the server with import()', { file: 'worker/x.ts', code: "export const load = () => import('../server/src/utils');\n" }, /worker\/ is the engine/],
  ['research importing a benchmark', { file: 'research/shapes/x.ts', code: "import { benchQueue } from '../../bench/queue';\nexport const f = benchQueue;\n" }, /research\/ builds on the engine only/],
  [
    'the server importing research code',
    { file: 'server/src/services/x.ts', code: "import { renderScene } from '../../../research/shapes/render';\nexport const f = renderScene;\n" },
    /server\/ is the Strapi glue/,
  ],
  [
    'the admin panel importing a value from the server',
    { file: 'admin/src/x.ts', code: "import { LOW_CONFIDENCE } from '../../server/src/config';\nexport const t = LOW_CONFIDENCE;\n" },
    /admin\/ is browser code/,
  ],
  [
    'the admin panel importing a value from the engine',
    { file: 'admin/src/pages/x.tsx', code: "import { ddimTimesteps } from '../../../worker/diffusion';\nexport const f = ddimTimesteps;\n" },
    /admin\/ is browser code/,
  ],
];

/** Imports the layout allows. */
const allowed: Case[] = [
  { file: 'worker/x.ts', code: "import { ddimTimesteps } from './diffusion';\nexport const f = ddimTimesteps;\n" },
  { file: 'worker/graph/x.ts', code: "import * as ort from 'onnxruntime-node';\nimport { Rng } from '../train/rng';\nexport const f = [ort, Rng];\n" },
  { file: 'research/shapes/x.ts', code: "import { loadBundle } from '../../worker/bundle/load';\nexport const f = loadBundle;\n" },
  {
    file: 'server/src/services/x.ts',
    code: "import type { Core } from '@strapi/strapi';\nimport { Queue } from 'bullmq';\nimport { loadBundle } from '../../../worker/bundle/load';\nexport type S = Core.Strapi;\nexport const f = [Queue, loadBundle];\n",
  },
  {
    file: 'bench/x.ts',
    code: "import { renderScene } from '../research/shapes/render';\nimport { captionService } from '../server/src/services/captions';\nexport const f = [renderScene, captionService];\n",
  },
  { file: 'cli/x.ts', code: "import { runWorkerProcess } from '../server/src/consumer/process';\nimport { benchQueue } from '../bench/queue';\nexport const f = [runWorkerProcess, benchQueue];\n" },
  {
    file: 'admin/src/x.ts',
    code: "import type { Settings } from '../../server/src/services/settings';\nimport { type Manifest } from '../../worker/bundle/manifest';\nexport type { RunStatus } from '../../server/src/services/finetune';\nexport type S = [Settings, Manifest];\n",
  },
  {
    file: 'test/worker/x.test.ts',
    code: "import { bootApp } from '../server/helpers/strapi-app';\nimport { loadBundle } from '../../worker/bundle/load';\nexport const f = [bootApp, loadBundle];\n",
  },
];

// One ESLint process for every case (loading ESLint and typescript-eslint takes seconds).
let results: Message[][];
beforeAll(() => {
  results = lint([...violations.map(([, c]) => c), ...allowed]);
});

describe('a deliberate boundary violation fails the lint step', () => {
  test.each(violations.map(([name, c, why], i) => [name, c, why, i] as const))('%s', (_name, c, why, i) => {
    const ms = results[i];
    expect([c.file, rules(ms)]).toEqual([c.file, [expect.stringMatching(BOUNDARY)]]);
    expect(ms[0].message).toMatch(why);
    expect(ms[0].line).toBe(1);
  });
});

test('the imports the layout allows pass', () => {
  allowed.forEach((c, i) => expect([c.file, results[violations.length + i]]).toEqual([c.file, []]));
});
