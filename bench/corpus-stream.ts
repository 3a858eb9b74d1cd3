/**
 * How fast a caption corpus streams (streamCaptions: UTF-8 check, cleaning, one caption per line),
 * the first step of `train` on a COCO-sized corpus.
 *
 *   npx tsx bench/corpus-stream.ts [--lines 200000]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { streamCaptions } from '../worker/corpus/read';
import { numberOption, runMain } from './args';

async function main(): Promise<void> {
  const count = numberOption('lines', 200_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-bench-corpus-'));
  try {
    const file = path.join(dir, 'big.txt');
    fs.writeFileSync(file, Array.from({ length: count }, (_, i) => `a photo of item ${i} on a wooden table`).join('\n'));
    const started = performance.now();
    let n = 0;
    for await (const c of streamCaptions(file)) if (c) n++;
    const s = (performance.now() - started) / 1000;
    console.log(`bench corpus-stream: ${n} lines in ${s.toFixed(2)} s (${Math.round(n / s)} lines/s)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runMain(main);
