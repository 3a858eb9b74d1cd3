/**
 * Corpus text embeddings per second through the product's path (tokenise, batch of 64, CLIP text
 * tower, cache by content hash): a first pass that encodes, then the same captions from the cache.
 * `--size vit-b32` times the ViT-B/32 text tower (63M parameters, random weights: speed does not
 * depend on their values), the figure behind the README's "text embeddings" row.
 *
 *   npx tsx bench/text-embeddings.ts [--captions 2000] [--size tiny|vit-b32]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../worker/bundle/load';
import { makeRandomBundle, RandomSize } from '../worker/bundle/random';
import { ClipEncoders } from '../worker/clip/encoders';
import { ClipTokenizer } from '../worker/clip/tokenizer';
import { runtimeConfig } from '../worker/runtime';
import { Rng } from '../worker/train/rng';
import { embedTexts } from '../worker/train/text-embeddings';
import { numberOption, runMain } from './args';

const WORDS = 'a the small large red green blue yellow circle square triangle star photo cat dog sofa on under next to above below of with and'.split(' ');

/** `count` distinct seeded captions of 1 to 20 words (some longer than a short context). */
function captions(count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const out = new Set<string>();
  while (out.size < count) out.add(Array.from({ length: 1 + rng.int(20) }, () => WORDS[rng.int(WORDS.length)]).join(' ') + '.');
  return [...out];
}

async function main(): Promise<void> {
  const count = numberOption('captions', 2000);
  const i = process.argv.indexOf('--size');
  const size = (i < 0 ? 'tiny' : process.argv[i + 1]) as RandomSize;
  if (size !== 'tiny' && size !== 'vit-b32') throw new Error(`--size must be tiny or vit-b32, got "${size}"`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-bench-text-'));
  try {
    const dir = path.join(root, 'bundle');
    makeRandomBundle(dir, size, 3);
    const b = loadBundle(dir);
    const m = b.manifest.clip;
    const enc = await ClipEncoders.open(b.file(m.vision), b.file(m.text), { imageSize: m.imageSize, embedDim: m.embedDim }, runtimeConfig());
    const tok = ClipTokenizer.load(b.file(m.tokenizer));
    const texts = captions(count, 5);
    const cacheDir = path.join(root, 'cache');
    console.log(`bench text-embeddings: ${count} captions, random-${size} text tower, batch 64`);
    for (const label of ['encode', 'cached']) {
      const t0 = performance.now();
      await embedTexts(enc, tok, b.manifest.files[m.text].sha256, m.contextLength, texts, { cacheDir });
      const s = (performance.now() - t0) / 1000;
      console.log(`  ${label.padEnd(7)} ${Math.round(count / s)} captions/s (${s.toFixed(2)} s)`);
    }
    await enc.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) runMain(main);
