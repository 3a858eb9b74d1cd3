/**
 * `altbridge eval`: BLEU-1..4, ROUGE-L and CIDEr-D of a bundle's captions for a folder of images
 * with a references file, or for a ShapesWorld split of the data the bundle was made from.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { defaultBundleRef, loadBundle } from '../worker/bundle/load';
import { bridgingSchedule } from '../worker/diffusion';
import { evalImages } from '../research/eval/evaluate';
import { EvalItem, readReferences, shapesSplit } from '../research/eval/references';
import { ShapesBuild, shapesData } from '../research/shapes/build';
import { wholeNumber } from './args';

/** The split's images: from --data, else the bundle's recorded ShapesWorld recipe regenerated into the cache. */
async function splitItems(split: string, dataDir: string | undefined, recipe: ShapesBuild | undefined): Promise<EvalItem[]> {
  if (!recipe && !dataDir) throw new Error('eval: this bundle records no ShapesWorld recipe; pass --data DIR, or --images DIR --refs FILE');
  const val = recipe?.val ?? 0;
  if (dataDir) return shapesSplit(dataDir, split, val);
  const key = crypto.createHash('sha256').update(JSON.stringify(recipe!.data)).digest('hex').slice(0, 12);
  const work = path.join(process.env.ALTBRIDGE_CACHE ?? path.join(os.homedir(), '.cache', 'altbridge'), 'shapes', key);
  process.stderr.write(`ShapesWorld data for this bundle: ${work}/data (made once)\n`);
  return shapesSplit(await shapesData(work, recipe!.data), split, val);
}

export async function evalCommand(args: string[]): Promise<number> {
  const str = { type: 'string' } as const;
  const { values: v } = parseArgs({ args, options: { bundle: str, split: str, data: str, images: str, refs: str, m: str, steps: str, beam: str, batch: str, json: { type: 'boolean' }, out: str } });
  const bundle = loadBundle(v.bundle ?? defaultBundleRef());
  let items: EvalItem[];
  if (v.images || v.refs) {
    if (!v.images || !v.refs) throw new Error('eval: --images DIR and --refs FILE go together');
    items = readReferences(v.refs, v.images);
  } else {
    items = await splitItems(v.split ?? 'heldout', v.data, bundle.manifest.provenance.recipe?.shapes as ShapesBuild | undefined);
  }
  const man = bundle.manifest;
  const { m, steps } = bridgingSchedule(wholeNumber('m', v.m, 0) ?? man.diffusion.defaultM, wholeNumber('steps', v.steps, 1), man.diffusion.ddimSteps);
  const r = await evalImages(bundle, items, { m, steps, beam: wholeNumber('beam', v.beam, 1), batchSize: wholeNumber('batch', v.batch, 1) ?? 32 });
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
}
