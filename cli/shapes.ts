/** `altbridge shapes generate|build|report|levers`: ShapesWorld data, the bundle trained on it, and its quality report. */
import * as fs from 'fs';
import * as path from 'path';
import { LAB_BUNDLE, loadBundle, modelsDir } from '../worker/bundle/load';
import { buildShapes, SHAPES_MINI, SHAPES_MINI_VERSION, ShapesBuild } from '../research/shapes/build';
import { generateShapes } from '../research/shapes/generate';
import { completeBundle } from '../research/shapes/publishing';
import { measureLevers } from '../research/shapes/levers';
import { recordLevers, renderLevers } from '../research/shapes/lever-table';
import { shapesReport } from '../research/shapes/report';
import { digest } from '../research/stage-stamp';
import { CAPTION_DEFAULTS } from '../worker/caption';
import { BRIDGE_DEFAULTS, DIFFUSION_DEFAULTS } from '../worker/diffusion';
import { PACKAGE_ROOT } from '../worker/package-root';
import { wholeNumberIn } from '../worker/validate';
import { defineCommand, Options, Values } from './command';
import { stageReporter } from './progress';

const DATA = SHAPES_MINI.data;
/** The default bundle's name: what `shapes build` makes without --name. */
const SHAPES_MINI_NAME = LAB_BUNDLE;

export const shapesGenerate = defineCommand({
  name: 'shapes generate',
  summary: 'a ShapesWorld dataset: image-caption pairs, caption text (5 lines a scene) and held-out images',
  about: "The default sizes are the default bundle's data.",
  options: {
    out: { type: 'text', arg: 'DIR', required: true, help: 'folder of the dataset' },
    seed: { type: 'whole', min: 0, default: DATA.seed, help: 'random seed of the scenes' },
    pairs: { type: 'whole', min: 0, default: DATA.pairs, help: 'image-caption pairs' },
    texts: { type: 'whole', min: 0, default: DATA.texts, help: 'scenes described in the caption text only' },
    heldout: { type: 'whole', min: 0, default: DATA.heldOut, help: 'held-out test images' },
    size: { type: 'whole', min: 16, default: DATA.size, help: 'image width and height in pixels' },
    val: {
      type: 'whole',
      min: 0,
      default: DATA.iid?.val ?? 0,
      help: 'last pairs kept apart as a validation split, every part drawn independently (0: each scene once, first come first served)',
    },
  },
  example: 'altbridge shapes generate --out /tmp/shapes --pairs 100 --val 10 --texts 100 --heldout 10',
  async run(v) {
    const s = await generateShapes(v.out, { seed: v.seed, pairs: v.pairs, texts: v.texts, heldOut: v.heldout, size: v.size, ...(v.val ? { iid: { val: v.val } } : {}) });
    process.stdout.write(`wrote ${s.pairs} pairs, ${s.textLines} caption lines and ${s.heldOut} held-out images to ${v.out} in ${(s.ms / 1000).toFixed(1)} s\n`);
    return 0;
  },
});

/** The recipe's options, shared by build and report; the defaults are the default bundle's recipe. */
const RECIPE_OPTIONS = {
  seed: { type: 'whole', min: 0, default: SHAPES_MINI.seed, help: 'random seed of the data and the training' },
  pairs: { type: 'whole', min: 2, default: DATA.pairs, help: 'image-caption pairs (mini-CLIP training)' },
  texts: { type: 'whole', min: 1, default: DATA.texts, help: 'scenes described in the caption text only' },
  heldout: { type: 'whole', min: 1, default: DATA.heldOut, help: 'held-out test images' },
  val: { type: 'whole', min: 1, default: SHAPES_MINI.val, help: 'pairs kept out of CLIP training' },
  'clip-steps': { type: 'whole', min: 1, default: SHAPES_MINI.clipSteps, help: 'training steps of the mini-CLIP' },
  'denoiser-steps': { type: 'whole', min: 1, default: SHAPES_MINI.denoiserSteps, help: 'training steps of the denoiser' },
  'decoder-steps': { type: 'whole', min: 1, default: SHAPES_MINI.decoderSteps, help: 'training steps of the caption decoder' },
  draws: { type: 'whole', min: 1, default: SHAPES_MINI.draws, help: 'noisy copies of each caption the decoder trains on' },
  'augment-step': { type: 'whole', min: 1, defaultText: `${BRIDGE_DEFAULTS.augmentStep}`, help: 'diffusion step A the captions are noised to before being denoised for the decoder' },
} satisfies Options;

/** The recipe the options give: the default bundle's, with what they change. */
function recipeFrom(v: Values<typeof RECIPE_OPTIONS>): ShapesBuild {
  // Checked here, before any data or CLIP is built for it.
  if (v['augment-step'] !== undefined) wholeNumberIn('--augment-step', v['augment-step'], 1, DIFFUSION_DEFAULTS.steps - 1);
  return {
    ...SHAPES_MINI,
    seed: v.seed,
    // The validation pairs are drawn apart from the training ones when the default recipe draws them so.
    data: { seed: v.seed, pairs: v.pairs, texts: v.texts, heldOut: v.heldout, size: DATA.size, ...(DATA.iid ? { iid: { val: v.val } } : {}) },
    val: v.val,
    clipSteps: v['clip-steps'],
    denoiserSteps: v['denoiser-steps'],
    decoderSteps: v['decoder-steps'],
    draws: v.draws,
    // The paper's A given explicitly is the default recipe, not another one.
    ...(v['augment-step'] === undefined || v['augment-step'] === BRIDGE_DEFAULTS.augmentStep ? {} : { augmentStep: v['augment-step'] }),
  };
}

/** Work folders (data, checkpoints) go to runs/ beside the models folder. */
const runsDir = (): string => path.join(modelsDir(), '..', 'runs');
const defaultOut = (): string => path.join(modelsDir(), SHAPES_MINI_NAME);

/**
 * A report's work folder: the default build's for the default recipe, so a report after a build
 * that trained there measures those very weights; a folder of its own for any other recipe, whose
 * stage stamps would otherwise clear the build's checkpoints.
 */
export const reportWork = (recipe: ShapesBuild): string =>
  path.join(runsDir(), JSON.stringify(recipe) === JSON.stringify(SHAPES_MINI) ? SHAPES_MINI_NAME : `shapes-report-${digest(recipe).slice(0, 12)}`);

export const shapesBuild = defineCommand({
  name: 'shapes build',
  summary: 'the ShapesWorld bundle from nothing: data, mini-CLIP, ē_img, denoiser, decoder, corpus matrix, quality calibration (resumable)',
  about:
    'With no recipe options it rebuilds the default bundle, seeded (about 35 minutes on 2 cores); a stopped build resumes from its work folder. The calibration fetches its out-of-domain images once into the cache (Debian desktop-base with apt-get download, an emoji package with npm pack), so the last step needs those two package sources.',
  options: {
    out: { type: 'text', arg: 'DIR', defaultText: `${SHAPES_MINI_NAME} in the models folder`, help: 'folder of the bundle' },
    work: { type: 'text', arg: 'DIR', defaultText: "runs/ beside the models folder, in a folder named as --out's", help: 'data and checkpoints' },
    name: { type: 'text', arg: 'NAME', default: SHAPES_MINI_NAME, help: 'name of the bundle' },
    version: { type: 'text', arg: 'VERSION', default: SHAPES_MINI_VERSION, help: 'version of the bundle' },
    ...RECIPE_OPTIONS,
  },
  example: 'altbridge shapes build --out /tmp/shapes-small --clip-steps 300 --denoiser-steps 300 --decoder-steps 300',
  async run(v, _positionals, args) {
    const out = v.out ?? defaultOut();
    const work = v.work ?? path.join(runsDir(), path.basename(out));
    const started = Date.now();
    const command = `npx altbridge shapes build ${args.join(' ')}`.trim();
    const reporter = stageReporter();
    const recipe = recipeFrom(v);
    const { dataDir } = await buildShapes(recipe, { work, out, name: v.name, version: v.version, command, ...reporter });
    await completeBundle(out, dataDir, recipe, command, (line) => reporter.onStage('complete', line));
    const { manifest } = loadBundle(out);
    const mb = Object.values(manifest.files).reduce((a, f) => a + f.bytes, 0) / 1e6;
    process.stdout.write(`wrote ${manifest.name}@${manifest.version} to ${out} (${mb.toFixed(1)} MB) in ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
    return 0;
  },
});

export const shapesReportCommand = defineCommand({
  name: 'shapes report',
  summary: "the ShapesWorld quality report with its figures (from nothing, or on the default build's checkpoints)",
  about: 'REPORT.md: cosines, ablation, baselines, M and S sweeps, errors by attribute; it builds the bundle of the recipe in the work folder first.',
  options: {
    out: { type: 'text', arg: 'DIR', defaultText: "the project's reports/shapes", help: 'folder of REPORT.md and its figures' },
    work: {
      type: 'text',
      arg: 'DIR',
      defaultText: `runs/${SHAPES_MINI_NAME} beside the models folder for the default recipe, the default build's (a report after a \`shapes build\` that trained there reuses its data and checkpoints, so it measures the same weights); runs/shapes-report-<recipe digest> for any other`,
      help: 'data, checkpoints and the bundle',
    },
    beam: { type: 'whole', min: 1, default: CAPTION_DEFAULTS.beam, help: 'beam width (1: greedy)' },
    ...RECIPE_OPTIONS,
  },
  example: 'altbridge shapes report --out /tmp/shapes-report',
  async run(v, _positionals, args) {
    const out = v.out ?? path.join(PACKAGE_ROOT, 'reports', 'shapes');
    const recipe = recipeFrom(v);
    const work = v.work ?? reportWork(recipe);
    const file = await shapesReport({ out, work, recipe, beam: v.beam, command: `npx altbridge shapes report ${args.join(' ')}`.trim(), ...stageReporter() });
    process.stdout.write(`wrote ${file}\n`);
    return 0;
  },
});

export const shapesLevers = defineCommand({
  name: 'shapes levers',
  summary: 'where capacity pays: each lever built and scored on the validation split (resumable)',
  about: 'Builds each lever of research/shapes/lever-list.ts from the data of its recipe and writes LEVERS.md: oracle and Diffusion Bridge CIDEr-D, shape, binding and count errors, CLIP R@1.',
  options: {
    out: { type: 'text', arg: 'DIR', defaultText: "the project's reports/shapes", help: 'folder of LEVERS.md' },
    work: { type: 'text', arg: 'DIR', defaultText: 'runs/shapes-levers beside the models folder', help: 'data, checkpoints and bundles of every lever' },
    only: { type: 'text', arg: 'NAMES', help: 'comma-separated lever names (all when absent)' },
    beam: { type: 'whole', min: 1, default: CAPTION_DEFAULTS.beam, help: 'beam width (1: greedy)' },
  },
  example: 'altbridge shapes levers --only first,hard-negatives',
  async run(v, _positionals, args) {
    const out = v.out ?? path.join(PACKAGE_ROOT, 'reports', 'shapes');
    const work = v.work ?? path.join(modelsDir(), '..', 'runs', 'shapes-levers');
    const command = `npx altbridge shapes levers ${args.join(' ')}`.trim();
    const measured = await measureLevers({ work, beam: v.beam, command, only: v.only?.split(',').map((n) => n.trim()), ...stageReporter() });
    const file = path.join(out, 'LEVERS.md');
    // Every lever recorded so far, not only this run's --only.
    fs.writeFileSync(file, renderLevers(recordLevers(out, measured, v.beam), command));
    process.stdout.write(`wrote ${file}\n`);
    return 0;
  },
});
