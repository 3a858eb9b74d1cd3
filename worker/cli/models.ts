/** `altbridge models ...`: the bundles installed. */
import { parseArgs } from 'util';
import { listBundles, modelsDir } from '../bundle/load';
import { makeRandomBundle } from '../bundle/random';
import { wholeNumber } from './args';

export function modelsList(): number {
  const bundles = listBundles();
  if (bundles.length === 0) {
    process.stdout.write(`no model bundles in ${modelsDir()}\n`);
    return 0;
  }
  for (const b of bundles) {
    process.stdout.write(`${b.name}@${b.version}\t${b.createdAt}\t${b.dir}${b.problem ? `\tPROBLEM: ${b.problem}` : ''}\n`);
  }
  return bundles.some((b) => b.problem) ? 1 : 0;
}

/** `models make-random --out DIR [--size tiny|vit-b32] [--seed N]`: a random-weight bundle for tests or speed. */
export function modelsMakeRandom(args: string[]): number {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' } } });
  if (!values.out) throw new Error('models make-random: --out DIR is required');
  const size = values.size ?? 'tiny';
  if (size !== 'tiny' && size !== 'vit-b32') throw new Error(`models make-random: --size must be tiny or vit-b32, got "${size}"`);
  const m = makeRandomBundle(values.out, size, wholeNumber('seed', values.seed, 0) ?? 0);
  const bytes = Object.values(m.files).reduce((a, f) => a + f.bytes, 0);
  process.stdout.write(`wrote ${m.name}@${m.version} to ${values.out} (${(bytes / 1e6).toFixed(1)} MB)\n`);
  return 0;
}
