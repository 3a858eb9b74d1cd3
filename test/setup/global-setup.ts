/**
 * Global setup of the jest project "train": builds the tiny ShapesWorld bundle once per run (a few
 * seconds) instead of once per test file, and tells the tests where it is (TINY_SHAPES_ENV).
 * A run started with TINY_SHAPES_ENV already set reuses that bundle and leaves it in place.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildShapes } from '../../research/shapes/build';
import { OWNED, TINY_RECIPE, TINY_SHAPES_ENV, TinyShapes } from './tiny-shapes';

export default async function globalSetup(): Promise<void> {
  if (process.env[TINY_SHAPES_ENV]) return;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-tiny-shapes-'));
  (globalThis as Record<string, unknown>)[OWNED] = root;
  const work = path.join(root, 'work');
  const info: TinyShapes = {
    work,
    bundle: path.join(work, 'bundle'),
    dataDir: '',
    recipe: TINY_RECIPE,
    name: 'tiny-shapes',
    version: '0.0.1',
    command: 'jest global setup (test/setup/global-setup.ts)',
    stages: [],
  };
  // The build's text-embedding cache stays in this run's folder.
  const savedCache = process.env.ALTBRIDGE_CACHE;
  process.env.ALTBRIDGE_CACHE = path.join(root, 'cache');
  try {
    const r = await buildShapes(TINY_RECIPE, { work, out: info.bundle, name: info.name, version: info.version, command: info.command, onStage: (s) => info.stages.push(s) });
    info.dataDir = r.dataDir;
  } finally {
    if (savedCache === undefined) delete process.env.ALTBRIDGE_CACHE;
    else process.env.ALTBRIDGE_CACHE = savedCache;
  }
  const file = path.join(root, 'tiny-shapes.json');
  fs.writeFileSync(file, JSON.stringify(info, null, 2));
  process.env[TINY_SHAPES_ENV] = file;
}
