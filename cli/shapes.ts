/** `altbridge shapes generate|build`: ShapesWorld data, and the bundle trained on it. */
import * as path from 'path';
import { parseArgs } from 'util';
import { modelsDir } from '../worker/bundle/load';
import { buildShapes, SHAPES_MINI, ShapesBuild } from '../research/shapes/build';
import { generateShapes } from '../research/shapes/generate';
import { shapesReport } from '../research/shapes/report';
import { wholeNumber } from './args';
import { stageReporter } from './progress';

export async function shapesGenerate(args: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args,
    options: { seed: { type: 'string' }, out: { type: 'string' }, pairs: { type: 'string' }, texts: { type: 'string' }, heldout: { type: 'string' }, size: { type: 'string' } },
  });
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

const NUM = { type: 'string' } as const;
const RECIPE_OPTIONS = { seed: NUM, pairs: NUM, texts: NUM, heldout: NUM, val: NUM, 'clip-steps': NUM, 'denoiser-steps': NUM, 'decoder-steps': NUM, draws: NUM };

/** The default bundle's recipe with any option given on the command line. */
function recipeFrom(v: Partial<Record<keyof typeof RECIPE_OPTIONS, string>>): ShapesBuild {
  const d = SHAPES_MINI;
  const seed = wholeNumber('seed', v.seed, 0) ?? d.seed;
  return {
    seed,
    data: {
      seed,
      pairs: wholeNumber('pairs', v.pairs, 2) ?? d.data.pairs,
      texts: wholeNumber('texts', v.texts, 1) ?? d.data.texts,
      heldOut: wholeNumber('heldout', v.heldout, 1) ?? d.data.heldOut,
      size: d.data.size,
    },
    val: wholeNumber('val', v.val, 1) ?? d.val,
    clipSteps: wholeNumber('clip-steps', v['clip-steps'], 1) ?? d.clipSteps,
    denoiserSteps: wholeNumber('denoiser-steps', v['denoiser-steps'], 1) ?? d.denoiserSteps,
    decoderSteps: wholeNumber('decoder-steps', v['decoder-steps'], 1) ?? d.decoderSteps,
    draws: wholeNumber('draws', v.draws, 1) ?? d.draws,
  };
}

/** `shapes build [--out DIR] [--work DIR] [recipe options]`: the ShapesWorld bundle (the default one with no options). */
export async function shapesBuild(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: { ...RECIPE_OPTIONS, out: NUM, work: NUM, name: NUM, version: NUM } });
  const out = v.out ?? path.join(modelsDir(), 'shapes-mini');
  const work = v.work ?? path.join(modelsDir(), '..', 'runs', path.basename(out));
  const started = Date.now();
  const { manifest } = await buildShapes(recipeFrom(v), {
    work,
    out,
    name: v.name ?? 'shapes-mini',
    version: v.version ?? '1.0.0',
    command: `npx altbridge shapes build ${args.join(' ')}`.trim(),
    ...stageReporter(),
  });
  const mb = Object.values(manifest.files).reduce((a, f) => a + f.bytes, 0) / 1e6;
  process.stdout.write(`wrote ${manifest.name}@${manifest.version} to ${out} (${mb.toFixed(1)} MB) in ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
  return 0;
}

/** `shapes report [--out reports/shapes] [--work DIR] [--beam 3] [recipe options]`: REPORT.md and its figures, from nothing. */
export async function shapesReportCommand(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: { ...RECIPE_OPTIONS, out: NUM, work: NUM, beam: NUM } });
  const out = v.out ?? path.join(__dirname, '..', 'reports', 'shapes');
  const work = v.work ?? path.join(modelsDir(), '..', 'runs', 'shapes-report');
  const file = await shapesReport({ out, work, recipe: recipeFrom(v), beam: wholeNumber('beam', v.beam, 1) ?? 3, command: `npx altbridge shapes report ${args.join(' ')}`.trim(), ...stageReporter() });
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}
