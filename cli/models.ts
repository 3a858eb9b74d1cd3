/** `altbridge models ...`: the bundles installed. */
import * as path from 'path';
import { parseArgs } from 'util';
import { ShapesBuild, shapesData } from '../research/shapes/build';
import { importClip } from '../worker/bundle/import-clip';
import { listBundles, loadBundle, modelsDir, resolveBundle, sha256File } from '../worker/bundle/load';
import { makeRandomBundle } from '../worker/bundle/random';
import { addCorpus } from '../worker/nearest-caption';
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

/** `models import-clip FOLDER [--name N] [--version V] [--out DIR] [--variant fp32|quantized|fp16]`: a CLIP-only bundle from an HF ONNX export. */
export async function modelsImportClip(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { name: { type: 'string' }, version: { type: 'string' }, out: { type: 'string' }, variant: { type: 'string' } } });
  if (positionals.length !== 1) throw new Error('models import-clip: name one folder (a Hugging Face CLIP ONNX export)');
  const variant = values.variant ?? 'fp32';
  if (variant !== 'fp32' && variant !== 'quantized' && variant !== 'fp16') throw new Error(`models import-clip: --variant must be fp32, quantized or fp16, got "${variant}"`);
  const m = await importClip(positionals[0], { name: values.name, version: values.version, out: values.out, variant, command: `npx altbridge models import-clip ${args.join(' ')}` });
  const out = path.resolve(values.out ?? path.join(modelsDir(), m.name));
  const c = m.clip;
  // A bundle outside the models folder is found by its path, not its name.
  const ref = values.out ? out : m.name;
  process.stdout.write(
    `imported ${m.name}@${m.version} to ${out}: CLIP only, images ${c.imageSize}x${c.imageSize}, ${c.embedDim}-d embeddings, text length ${c.contextLength}\n` +
      `next: npx altbridge images-mean --bundle ${ref} DIR   (ē_img from a folder of your images)\n` +
      `      npx altbridge train --clip ${ref} --corpus FILE   (a captioner from your caption text)\n`,
  );
  return 0;
}

/**
 * `models add-corpus BUNDLE (--corpus FILE | --from-recipe [--work DIR])`: stores the corpus matrix
 * (the corpus's captions in diffusion space, for each caption's nearestCaption) in a trained bundle
 * without retraining, embedded with its own CLIP text tower and ē_text. `--from-recipe` regenerates
 * a ShapesWorld bundle's texts.txt from its recorded recipe in `--work` (reused when there).
 */
export async function modelsAddCorpus(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { corpus: { type: 'string' }, 'from-recipe': { type: 'boolean' }, work: { type: 'string' } } });
  if (positionals.length !== 1) throw new Error('models add-corpus: name one bundle');
  const fromRecipe = values['from-recipe'] === true;
  if (fromRecipe === (values.corpus !== undefined)) throw new Error('models add-corpus: give --corpus FILE (the corpus the bundle was trained on) or --from-recipe (not both)');
  const ref = positionals[0];
  let corpus: string;
  if (fromRecipe) {
    const m = loadBundle(ref).manifest;
    const recipe = m.provenance.recipe?.shapes as ShapesBuild | undefined;
    if (!recipe) throw new Error(`models add-corpus: bundle ${ref} records no ShapesWorld recipe (provenance.recipe.shapes); name its corpus with --corpus FILE`);
    corpus = path.join(await shapesData(path.resolve(values.work ?? path.join('runs', `corpus-${m.name}`)), recipe.data), 'texts.txt');
  } else corpus = values.corpus!;
  const m = await addCorpus(ref, corpus, { command: `npx altbridge models add-corpus ${args.join(' ')}`, sha256: sha256File(corpus) });
  const c = m.corpus!;
  process.stdout.write(`corpus matrix of ${c.rows} caption(s) stored in ${path.join(resolveBundle(ref), c.file)} (${m.name}@${m.version})\n`);
  return 0;
}
