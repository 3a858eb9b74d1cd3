/** `altbridge models ...`: the bundles installed. */
import * as path from 'path';
import { ShapesBuild, shapesData } from '../research/shapes/build';
import { importClip } from '../worker/bundle/import-clip';
import { listBundles, loadBundle, modelsDir, resolveBundle, sha256File } from '../worker/bundle/load';
import { FIRST_VERSION } from '../worker/bundle/names';
import { makeRandomBundle } from '../worker/bundle/random';
import { addCorpus } from '../worker/nearest-caption';
import { defineCommand } from './command';

export const modelsList = defineCommand({
  name: 'models list',
  summary: 'the model bundles installed, with any problem found',
  about: 'One line per bundle: NAME@VERSION, when it was made, its folder and any problem; the exit status is 1 when a bundle has one.',
  options: {},
  example: 'altbridge models list',
  run() {
    const bundles = listBundles();
    if (bundles.length === 0) {
      process.stdout.write(`no model bundles in ${modelsDir()}\n`);
      return 0;
    }
    for (const b of bundles) {
      process.stdout.write(`${b.name}@${b.version}\t${b.createdAt}\t${b.dir}${b.problem ? `\tPROBLEM: ${b.problem}` : ''}\n`);
    }
    return bundles.some((b) => b.problem) ? 1 : 0;
  },
});

const SIZES = ['tiny', 'vit-b32'] as const;

export const modelsMakeRandom = defineCommand({
  name: 'models make-random',
  summary: 'a random-weight bundle with the real I/O contract (tests; the speed of the real sizes)',
  options: {
    out: { type: 'text', arg: 'DIR', required: true, help: 'folder of the new bundle' },
    size: { type: 'text', arg: 'SIZE', choices: SIZES, default: 'tiny', help: 'tiny, or the sizes of CLIP ViT-B/32 and a paper-sized denoiser and decoder' },
    seed: { type: 'whole', min: 0, default: 0, help: 'random seed of the weights' },
  },
  example: 'altbridge models make-random --out /tmp/random-tiny',
  run(values) {
    const m = makeRandomBundle(values.out, values.size, values.seed);
    const bytes = Object.values(m.files).reduce((a, f) => a + f.bytes, 0);
    process.stdout.write(`wrote ${m.name}@${m.version} to ${values.out} (${(bytes / 1e6).toFixed(1)} MB)\n`);
    return 0;
  },
});

const VARIANTS = ['fp32', 'quantized', 'fp16'] as const;

export const modelsImportClip = defineCommand({
  name: 'models import-clip',
  summary: 'a CLIP-only bundle from a Hugging Face CLIP ONNX export (checked, then copied)',
  about: 'Next: images-mean for its ē_img from your images, and train for a captioner from your caption text.',
  options: {
    name: { type: 'text', arg: 'NAME', defaultText: "the export folder's name", help: 'name of the bundle' },
    version: { type: 'text', arg: 'VERSION', default: FIRST_VERSION, help: 'version of the bundle' },
    out: { type: 'text', arg: 'DIR', defaultText: 'NAME in the models folder', help: 'folder of the bundle' },
    variant: { type: 'text', arg: 'VARIANT', choices: VARIANTS, default: 'fp32', help: "which of the export's ONNX files to take" },
  },
  positionals: { arg: 'FOLDER', min: 1, max: 1 },
  example: 'altbridge models import-clip models/downloads/clip-vit-b32 --name clip-vit-b32',
  async run(values, [folder], args) {
    const m = await importClip(folder, { name: values.name, version: values.version, out: values.out, variant: values.variant, command: `npx altbridge models import-clip ${args.join(' ')}` });
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
  },
});

/**
 * `models add-corpus BUNDLE (--corpus FILE | --from-recipe [--work DIR])`: stores the corpus matrix
 * (the corpus's captions in diffusion space, for each caption's nearestCaption) in a trained bundle
 * without retraining, embedded with its own CLIP text tower and ē_text. `--from-recipe` regenerates
 * a ShapesWorld bundle's texts.txt from its recorded recipe in `--work` (reused when there).
 */
export const modelsAddCorpus = defineCommand({
  name: 'models add-corpus',
  summary: "store a trained bundle's corpus in diffusion space (each caption's nearestCaption), without retraining",
  about: 'Give the corpus the bundle was trained on, or --from-recipe for a ShapesWorld bundle.',
  options: {
    corpus: { type: 'text', arg: 'FILE', help: 'the corpus the bundle was trained on' },
    'from-recipe': { type: 'flag', help: "regenerate a ShapesWorld bundle's corpus from its recorded recipe" },
    work: { type: 'text', arg: 'DIR', defaultText: 'runs/corpus-NAME', help: 'where --from-recipe regenerates the corpus (reused when there)' },
  },
  positionals: { arg: 'BUNDLE', min: 1, max: 1 },
  example: 'altbridge models add-corpus shapes-mini --from-recipe',
  async run(values, positionals, args) {
    const fromRecipe = values['from-recipe'];
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
  },
});
