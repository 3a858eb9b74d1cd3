/**
 * How fast ShapesWorld draws, renders (sharp) and writes scenes: 64-px image–caption pairs and
 * caption lines, as `shapes generate` and `shapes build` make them.
 *
 *   npx tsx bench/shapes-generate.ts [--pairs 1000] [--texts 200]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateShapes } from '../research/shapes/generate';
import { numberOption, runMain } from './args';

async function main(): Promise<void> {
  const pairs = numberOption('pairs', 1000);
  const texts = numberOption('texts', 200);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-bench-shapes-'));
  try {
    const s = await generateShapes(dir, { seed: 1, pairs, texts, heldOut: 0, size: 64 });
    console.log(`bench shapes-generate: ${s.pairs} 64-px pairs + ${s.textLines} caption lines in ${(s.ms / 1000).toFixed(2)} s (${((s.pairs * 1000) / s.ms).toFixed(0)} pairs/s)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runMain(main);
