/**
 * `altbridge eval`: BLEU-1..4, ROUGE-L and CIDEr-D of a bundle's captions for a folder of images
 * with a references file, or for a ShapesWorld split of the data the bundle was made from.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LAB_BUNDLE, loadBundle } from '../worker/bundle/load';
import { CAPTION_DEFAULTS } from '../worker/caption';
import { bridgingSchedule } from '../worker/diffusion';
import { evalImages } from '../research/eval/evaluate';
import { EvalItem, readReferences, shapesSplit } from '../research/eval/references';
import { ShapesBuild, shapesData } from '../research/shapes/build';
import { defineCommand } from './command';
import { cacheDir } from '../worker/cache-dir';

/** The split's images: from --data, else the bundle's recorded ShapesWorld recipe regenerated into the cache. */
async function splitItems(split: string, dataDir: string | undefined, recipe: ShapesBuild | undefined): Promise<EvalItem[]> {
  if (!recipe && !dataDir) throw new Error('eval: this bundle records no ShapesWorld recipe; pass --data DIR, or --images DIR --refs FILE');
  const val = recipe?.val ?? 0;
  if (dataDir) return shapesSplit(dataDir, split, val);
  const key = crypto.createHash('sha256').update(JSON.stringify(recipe!.data)).digest('hex').slice(0, 12);
  const work = cacheDir('shapes', key);
  process.stderr.write(`ShapesWorld data for this bundle: ${work}/data (made once)\n`);
  return shapesSplit(await shapesData(work, recipe!.data), split, val);
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary: "BLEU-1..4, ROUGE-L and CIDEr-D of a bundle's captions against references",
  about:
    'On a ShapesWorld split of the data the bundle was made from (regenerated from its recorded recipe into the cache, or read from --data), or on any images with --images and --refs. Exit status 1 when an image could not be read.',
  options: {
    bundle: { type: 'text', arg: 'NAME|PATH', default: LAB_BUNDLE, help: 'the model bundle (--split needs a ShapesWorld one)' },
    split: { type: 'text', arg: 'SPLIT', choices: ['heldout', 'val'], default: 'heldout', help: 'the ShapesWorld split' },
    data: { type: 'text', arg: 'DIR', defaultText: "the bundle's recipe, regenerated", help: 'a ShapesWorld dataset folder (shapes generate)' },
    images: { type: 'text', arg: 'DIR', help: 'your images (with --refs)' },
    refs: { type: 'text', arg: 'FILE.json', help: 'their reference captions: {file: [caption, ...]}' },
    m: { type: 'whole', min: 0, defaultText: "the bundle's", help: 'bridging depth M (0: no bridging)' },
    steps: { type: 'whole', min: 1, defaultText: "the bundle's, at most M", help: 'DDIM steps' },
    beam: { type: 'whole', min: 1, default: CAPTION_DEFAULTS.beam, help: 'beam width (1: greedy)' },
    batch: { type: 'whole', min: 1, default: 32, help: 'images run through the networks together' },
    json: { type: 'flag', help: 'the summary as one JSON line' },
    out: { type: 'text', arg: 'FILE', help: 'write the summary with every sample and failure as JSON' },
  },
  example: 'altbridge eval --bundle shapes-mini --split heldout',
  async run(v) {
    const bundle = loadBundle(v.bundle);
    let items: EvalItem[];
    if (v.images || v.refs) {
      if (!v.images || !v.refs) throw new Error('eval: --images DIR and --refs FILE go together');
      items = readReferences(v.refs, v.images);
    } else {
      items = await splitItems(v.split, v.data, bundle.manifest.provenance.recipe?.shapes as ShapesBuild | undefined);
    }
    const man = bundle.manifest;
    const { m, steps } = bridgingSchedule(v.m ?? man.diffusion.defaultM, v.steps, man.diffusion.ddimSteps);
    const r = await evalImages(bundle, items, { m, steps, beam: v.beam, batchSize: v.batch });
    const summary = { bundle: `${man.name}@${man.version}`, images: r.samples.length, failed: r.failures.length, m, steps, seconds: r.ms / 1000, scores: r.scores };
    if (v.out) fs.writeFileSync(v.out, JSON.stringify({ ...summary, samples: r.samples, failures: r.failures }, null, 2) + '\n');
    if (v.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else {
      const s = r.scores;
      process.stdout.write(`${summary.bundle}, ${summary.images} images, M = ${m}, S = ${summary.steps} (${summary.seconds.toFixed(1)} s)\n`);
      process.stdout.write(
        `BLEU-1 ${s.bleu1.toFixed(3)}  BLEU-2 ${s.bleu2.toFixed(3)}  BLEU-3 ${s.bleu3.toFixed(3)}  BLEU-4 ${s.bleu4.toFixed(3)}  ROUGE-L ${s.rougeL.toFixed(3)}  CIDEr-D ${s.ciderD.toFixed(3)}\n`,
      );
      for (const x of r.samples.slice(0, 3)) process.stdout.write(`  ${path.basename(x.file)}: ${x.caption}  |  ref: ${x.references[0]}\n`);
    }
    for (const f of r.failures) process.stderr.write(`${f.file}: error: ${f.error}\n`);
    return r.failures.length ? 1 : 0;
  },
});
