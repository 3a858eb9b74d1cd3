/**
 * `altbridge train --corpus FILE --clip BUNDLE`: a captioner trained from caption text on a bundle's
 * CLIP, with a progress bar per stage; Ctrl-C stops after the current step with a checkpoint, and
 * the same command resumes.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { loadClip, modelsDir } from '../worker/bundle/load';
import { checkBundleName, checkBundleVersion } from '../worker/bundle/names';
import { trainFromCorpus } from '../worker/train/corpus-train';
import { trainTarget } from '../worker/train/target';
import { wholeNumber } from './args';
import { stageReporter, stopOnCtrlC } from './progress';
import { scoreLine } from './scores';

const s = { type: 'string' } as const;
const OPTIONS = { corpus: s, clip: s, out: s, name: s, version: s, seed: s, 'denoiser-steps': s, 'decoder-steps': s, draws: s };

/** The new bundle's name and version: both become folder names (MODELS/NAME-VERSION), so both are checked first. */
function identity(name: string | undefined, version: string | undefined, corpus: string): { name: string; version: string } {
  try {
    return {
      name: checkBundleName(name ?? path.basename(corpus).replace(/\.[^.]+$/, ''), name === undefined ? "the corpus file's name; give one with --name" : undefined),
      version: checkBundleVersion(version ?? '1.0.0'),
    };
  } catch (err) {
    throw new Error(`train: ${(err as Error).message}`);
  }
}

export async function trainCommand(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: OPTIONS });
  if (!v.corpus) throw new Error('train: --corpus FILE is required');
  if (!v.clip) throw new Error('train: --clip BUNDLE (a bundle whose CLIP to use) is required');
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
    seed: wholeNumber('seed', v.seed, 0) ?? 0,
    denoiserSteps: wholeNumber('denoiser-steps', v['denoiser-steps'], 1) ?? 10000,
    decoderSteps: wholeNumber('decoder-steps', v['decoder-steps'], 1) ?? 10000,
    draws: wholeNumber('draws', v.draws, 1) ?? 4,
    signal: stopOnCtrlC(),
    command: `npx altbridge train ${args.join(' ')}`,
    ...stageReporter(),
  });
  process.stdout.write(`wrote ${r.manifest.name}@${r.manifest.version} to ${out}\n`);
  if (r.eval) process.stdout.write(scoreLine('new bundle, held-out text', r.eval.scores) + '\n');
  return 0;
}
