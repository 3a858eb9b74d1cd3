/** `altbridge art build|report`: the ArtWorld bundle (real emoji and clip art with human-written names) and its report. */
import * as path from 'path';
import { ART_MINI, ArtBuild, buildArt } from '../research/art/build';
import { artReport } from '../research/art/report';
import { CAPTION_DEFAULTS } from '../worker/caption';
import { PACKAGE_ROOT } from '../worker/package-root';
import { DEFAULT_BUNDLE, modelsDir } from '../worker/bundle/load';
import { cacheDir } from '../worker/cache-dir';
import { FIRST_VERSION } from '../worker/bundle/names';
import { defineCommand, Options, Values } from './command';
import { stageReporter } from './progress';

const ART_MINI_NAME = DEFAULT_BUNDLE;

const RECIPE_OPTIONS = {
  seed: { type: 'whole', min: 0, default: ART_MINI.seed, help: 'random seed of the splits, renderings and training' },
  'clip-steps': { type: 'whole', min: 1, default: ART_MINI.clipSteps, help: 'training steps of the mini-CLIP' },
  'denoiser-steps': { type: 'whole', min: 1, default: ART_MINI.denoiserSteps, help: 'training steps of the denoiser' },
  'decoder-steps': { type: 'whole', min: 1, default: ART_MINI.decoderSteps, help: 'training steps of the caption decoder' },
  draws: { type: 'whole', min: 1, default: ART_MINI.draws, help: 'noisy copies of each name the decoder trains on' },
  sources: { type: 'text', arg: 'DIR', help: 'unpacked sources to use instead of fetching the pinned ones (a fixture)' },
  cache: { type: 'text', arg: 'DIR', defaultText: '$ALTBRIDGE_CACHE/art', help: 'downloaded and unpacked sources, out-of-domain images' },
} satisfies Options;

function recipeFrom(v: Values<typeof RECIPE_OPTIONS>): ArtBuild {
  return {
    ...ART_MINI,
    seed: v.seed,
    data: { ...ART_MINI.data, seed: v.seed },
    clipSteps: v['clip-steps'],
    denoiserSteps: v['denoiser-steps'],
    decoderSteps: v['decoder-steps'],
    draws: v.draws,
  };
}

export const artBuild = defineCommand({
  name: 'art build',
  summary: 'the ArtWorld bundle from nothing: fetch and render the sources, mini-CLIP, ē_img, denoiser, decoder (resumable)',
  about:
    'With no recipe options it rebuilds the default art-mini bundle, seeded. Sources are fetched from the npm registry and Debian into the cache and checked against pinned hashes; a stopped build resumes from its work folder.',
  options: {
    out: { type: 'text', arg: 'DIR', defaultText: `${ART_MINI_NAME} in the models folder`, help: 'folder of the bundle' },
    work: { type: 'text', arg: 'DIR', defaultText: "runs/ beside the models folder, in a folder named as --out's", help: 'data and checkpoints' },
    name: { type: 'text', arg: 'NAME', default: ART_MINI_NAME, help: 'name of the bundle' },
    version: { type: 'text', arg: 'VERSION', default: FIRST_VERSION, help: 'version of the bundle' },
    ...RECIPE_OPTIONS,
  },
  example: 'altbridge art build --out /tmp/art-small --clip-steps 300 --denoiser-steps 300 --decoder-steps 300',
  async run(v, _positionals, args) {
    const out = v.out ?? path.join(modelsDir(), ART_MINI_NAME);
    const work = v.work ?? path.join(modelsDir(), '..', 'runs', path.basename(out));
    const started = Date.now();
    const { manifest } = await buildArt(recipeFrom(v), {
      cache: v.cache ?? cacheDir('art'),
      sources: v.sources,
      work,
      out,
      name: v.name,
      version: v.version,
      command: `npx altbridge art build ${args.join(' ')}`.trim(),
      ...stageReporter(),
    });
    const mb = Object.values(manifest.files).reduce((a, f) => a + f.bytes, 0) / 1e6;
    process.stdout.write(`wrote ${manifest.name}@${manifest.version} to ${out} (${mb.toFixed(1)} MB) in ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
    return 0;
  },
});

export const artReportCommand = defineCommand({
  name: 'art report',
  summary: 'the ArtWorld report: held-out OpenMoji and clip art, every method, retrieval, M sweep, publishing',
  about: 'REPORT.md and results.json on the bundle of the recipe; with the default recipe that is the art-mini bundle in the models folder, built first when it is missing.',
  options: {
    out: { type: 'text', arg: 'DIR', defaultText: "the project's reports/art", help: 'folder of REPORT.md and its samples' },
    bundle: { type: 'text', arg: 'DIR', defaultText: `${ART_MINI_NAME} in the models folder`, help: 'the bundle to measure (built there when missing)' },
    work: { type: 'text', arg: 'DIR', defaultText: "runs/ beside the models folder, in a folder named as --bundle's", help: 'data, checkpoints, baseline decoders' },
    beam: { type: 'whole', min: 1, default: CAPTION_DEFAULTS.beam, help: 'beam width (1: greedy)' },
    ...RECIPE_OPTIONS,
  },
  example: 'altbridge art report --out /tmp/art-report',
  async run(v, _positionals, args) {
    const bundle = v.bundle ?? path.join(modelsDir(), ART_MINI_NAME);
    const file = await artReport({
      dir: v.out ?? path.join(PACKAGE_ROOT, 'reports', 'art'),
      recipe: recipeFrom(v),
      beam: v.beam,
      cache: v.cache ?? cacheDir('art'),
      sources: v.sources,
      work: v.work ?? path.join(modelsDir(), '..', 'runs', path.basename(bundle)),
      out: bundle,
      name: ART_MINI_NAME,
      version: FIRST_VERSION,
      command: `npx altbridge art report ${args.join(' ')}`.trim(),
      ...stageReporter(),
    });
    process.stdout.write(`wrote ${file}\n`);
    return 0;
  },
});
