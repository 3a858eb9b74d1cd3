/** `altbridge shapes generate`: writes a ShapesWorld dataset (pairs, caption text, held-out images). */
import { parseArgs } from 'util';
import { generateShapes } from '../shapes/generate';
import { wholeNumber } from './args';

export async function shapesGenerate(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: { seed: { type: 'string' }, out: { type: 'string' }, pairs: { type: 'string' }, texts: { type: 'string' }, heldout: { type: 'string' }, size: { type: 'string' } } });
  if (!v.out) throw new Error('shapes generate: --out DIR is required');
  const s = await generateShapes(v.out, {
    seed: wholeNumber('seed', v.seed, 0) ?? 0,
    pairs: wholeNumber('pairs', v.pairs, 0) ?? 5000,
    texts: wholeNumber('texts', v.texts, 0) ?? 5000,
    heldOut: wholeNumber('heldout', v.heldout, 0) ?? 500,
    size: wholeNumber('size', v.size, 16) ?? 64,
  });
  process.stdout.write(`wrote ${s.pairs} pairs, ${s.textLines} caption lines and ${s.heldOut} held-out images to ${v.out} in ${(s.ms / 1000).toFixed(1)} s\n`);
  return 0;
}
