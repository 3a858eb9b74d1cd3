/**
 * `altbridge finetune --from BUNDLE --corpus FILE [--mix FILE --mix-share 0.3]`: the admin panel's
 * fine-tuning run (runFinetune) from the command line, with the admin API's default steps and draws
 * and a progress bar per stage. Ctrl-C stops after the current step with a checkpoint; the same
 * command resumes (it picks the same version while the new one is not written).
 */
import { FINETUNE_LIMITS } from '../server/src/contracts';
import { modelsDir } from '../worker/bundle/load';
import { runFinetune } from '../worker/finetune/job';
import { CORPUS_HELP } from './args';
import { defineCommand } from './command';
import { stageReporter, stopOnCtrlC } from './progress';
import { scoreLine } from './scores';

export const finetuneCommand = defineCommand({
  name: 'finetune',
  summary: "continue a bundle on a domain corpus (the admin panel's fine-tuning run)",
  about: "Writes a new version of the bundle and compares it with the old one on the corpus's held-out lines. Ctrl-C stops after the current step (checkpointed); the same command resumes.",
  options: {
    from: { type: 'text', arg: 'BUNDLE', required: true, help: 'the bundle to continue: NAME, NAME@VERSION or a folder' },
    corpus: { type: 'text', arg: 'FILE', required: true, help: `your domain's ${CORPUS_HELP}` },
    mix: { type: 'text', arg: 'FILE', help: "another corpus (usually the bundle's own) mixed in against forgetting" },
    'mix-share': { type: 'number', arg: 'SHARE', min: 0, default: 0.3, help: "lines of --mix to add, as a share of the new corpus's line count" },
    out: { type: 'text', arg: 'DIR', help: 'folder of the new bundle', defaultText: 'NAME-VERSION in the models folder' },
    name: { type: 'text', arg: 'NAME', help: 'name of the new bundle', defaultText: "the base bundle's" },
    version: { type: 'text', arg: 'VERSION', help: 'version of the new bundle', defaultText: 'the next one not installed' },
    seed: { type: 'whole', min: 0, default: 0, help: 'random seed' },
    'denoiser-steps': { type: 'whole', min: 1, default: FINETUNE_LIMITS.defaultSteps, help: 'training steps of the denoiser' },
    'decoder-steps': { type: 'whole', min: 1, default: FINETUNE_LIMITS.defaultSteps, help: 'training steps of the caption decoder' },
    draws: { type: 'whole', min: 1, default: FINETUNE_LIMITS.defaultDraws, help: 'noisy copies of each caption the decoder trains on' },
  },
  example: 'altbridge finetune --from shapes-mini --corpus my-captions.txt',
  async run(v, _positionals, args) {
    const report = stageReporter();
    const done = await runFinetune(
      {
        base: v.from,
        corpus: v.corpus,
        mix: v.mix ? { corpus: v.mix, share: v['mix-share'] } : undefined,
        modelsDir: modelsDir(),
        name: v.name,
        version: v.version,
        out: v.out,
        seed: v.seed,
        denoiserSteps: v['denoiser-steps'],
        decoderSteps: v['decoder-steps'],
        draws: v.draws,
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
  },
});
