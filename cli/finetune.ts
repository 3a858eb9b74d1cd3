/**
 * `altbridge finetune --from BUNDLE --corpus FILE [--mix FILE --mix-share 0.3]`: the admin panel's
 * fine-tuning run (runFinetune) from the command line, with a progress bar per stage. Ctrl-C
 * stops after the current step with a checkpoint; the same command resumes (it picks the same
 * version while the new one is not written).
 */
import { parseArgs } from 'util';
import { modelsDir } from '../worker/bundle/load';
import { runFinetune } from '../worker/finetune/job';
import { wholeNumber } from './args';
import { stageReporter, stopOnCtrlC } from './progress';
import { scoreLine } from './scores';

const s = { type: 'string' } as const;
const OPTIONS = { from: s, corpus: s, mix: s, 'mix-share': s, out: s, name: s, version: s, seed: s, 'denoiser-steps': s, 'decoder-steps': s, draws: s };

/** --mix-share: a share of the new corpus's line count, any number >= 0 (0.3 when absent). */
function mixShare(value: string | undefined): number {
  if (value === undefined) return 0.3;
  const share = Number(value);
  if (value.trim() === '' || !(share >= 0) || !Number.isFinite(share)) throw new Error(`--mix-share must be a number >= 0, got "${value}"`);
  return share;
}

export async function finetuneCommand(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: OPTIONS });
  if (!v.corpus) throw new Error('finetune: --corpus FILE is required');
  if (!v.from) throw new Error('finetune: --from BUNDLE is required');
  const share = mixShare(v['mix-share']);
  const report = stageReporter();
  const done = await runFinetune(
    {
      base: v.from,
      corpus: v.corpus,
      mix: v.mix ? { corpus: v.mix, share } : undefined,
      modelsDir: modelsDir(),
      name: v.name,
      version: v.version,
      out: v.out,
      seed: wholeNumber('seed', v.seed, 0) ?? 0,
      denoiserSteps: wholeNumber('denoiser-steps', v['denoiser-steps'], 1) ?? 2000,
      decoderSteps: wholeNumber('decoder-steps', v['decoder-steps'], 1) ?? 2000,
      draws: wholeNumber('draws', v.draws, 1) ?? 4,
      command: `npx altbridge finetune ${args.join(' ')}`,
    },
    (m) => (m.type === 'stage' ? report.onStage(m.stage, m.detail) : m.type === 'progress' ? report.onProgress(m.stage, m) : undefined),
    stopOnCtrlC(),
  );
  process.stdout.write(`wrote ${done.bundle} to ${done.dir}\n`);
  const e = done.eval;
  if (e.new && e.active) {
    process.stdout.write(scoreLine(`new bundle, ${e.lines} held-out lines`, e.new) + '\n');
    process.stdout.write(scoreLine('old bundle, same lines', e.active) + '\n');
  }
  return 0;
}
