/**
 * `altbridge train --corpus FILE --clip BUNDLE`: a captioner trained from caption text on a bundle's
 * CLIP, with a progress bar per stage; Ctrl-C stops after the current step with a checkpoint, and
 * the same command resumes.
 */
import * as path from 'path';
import { loadClip, modelsDir } from '../worker/bundle/load';
import { checkBundleName, checkBundleVersion, FIRST_VERSION } from '../worker/bundle/names';
import { BRIDGE_DEFAULTS } from '../worker/diffusion';
import { trainFromCorpus } from '../worker/train/corpus-train';
import { trainTarget } from '../worker/train/target';
import { CORPUS_HELP } from './args';
import { defineCommand } from './command';
import { stageReporter, stopOnCtrlC } from './progress';
import { scoreLine } from './scores';

/** The new bundle's name and version: both become folder names (MODELS/NAME-VERSION), so both are checked first. */
function identity(name: string | undefined, version: string, corpus: string): { name: string; version: string } {
  try {
    return {
      name: checkBundleName(name ?? path.basename(corpus).replace(/\.[^.]+$/, ''), name === undefined ? "the corpus file's name; give one with --name" : undefined),
      version: checkBundleVersion(version),
    };
  } catch (err) {
    throw new Error(`train: ${(err as Error).message}`);
  }
}

export const trainCommand = defineCommand({
  name: 'train',
  summary: "train a captioner from caption text on a bundle's CLIP",
  about: 'Trains the denoiser and the decoder, then scores the new bundle on the held-out lines. Ctrl-C stops after the current step (checkpointed); the same command resumes.',
  options: {
    corpus: { type: 'text', arg: 'FILE', required: true, help: CORPUS_HELP },
    clip: { type: 'text', arg: 'BUNDLE', required: true, help: 'the bundle whose CLIP to train on (a name or a folder)' },
    out: { type: 'text', arg: 'DIR', help: 'folder of the new bundle', defaultText: 'NAME-VERSION in the models folder' },
    name: { type: 'text', arg: 'NAME', help: 'name of the new bundle', defaultText: "the corpus file's name" },
    version: { type: 'text', arg: 'VERSION', default: FIRST_VERSION, help: 'version of the new bundle' },
    seed: { type: 'whole', min: 0, default: 0, help: 'random seed' },
    'denoiser-steps': { type: 'whole', min: 1, default: 10000, help: 'training steps of the denoiser' },
    'decoder-steps': { type: 'whole', min: 1, default: 10000, help: 'training steps of the caption decoder' },
    draws: { type: 'whole', min: 1, default: 4, help: 'noisy copies of each caption the decoder trains on' },
    'augment-step': {
      type: 'whole',
      min: 1,
      defaultText: `the CLIP bundle's, else ${BRIDGE_DEFAULTS.augmentStep}`,
      help: 'diffusion step A the training captions are noised to before being denoised for the decoder',
    },
  },
  example: 'altbridge train --corpus corpora/coco-captions/train.txt --clip clip-vit-b32',
  async run(v, _positionals, args) {
    const { name, version } = identity(v.name, v.version, v.corpus);
    const clip = loadClip(v.clip);
    const target = trainTarget(modelsDir(), name, version);
    const out = v.out ?? target.out;
    const r = await trainFromCorpus(clip, {
      corpus: v.corpus,
      out,
      name,
      version,
      runDir: target.runDir,
      seed: v.seed,
      denoiserSteps: v['denoiser-steps'],
      decoderSteps: v['decoder-steps'],
      draws: v.draws,
      augmentStep: v['augment-step'],
      signal: stopOnCtrlC(),
      command: `npx altbridge train ${args.join(' ')}`,
      ...stageReporter(),
    });
    process.stdout.write(`wrote ${r.manifest.name}@${r.manifest.version} to ${out}\n`);
    if (r.eval) process.stdout.write(scoreLine('new bundle, held-out text', r.eval.scores) + '\n');
    return 0;
  },
});
