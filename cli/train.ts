/**
 * `altbridge train`, `finetune` and `eval-text`: corpus training with a progress bar per stage;
 * Ctrl-C stops after the current step with a checkpoint, and the same command resumes.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { loadBundle, loadClip, modelsDir } from '../worker/bundle/load';
import { readCorpus } from '../worker/corpus/read';
import { trainFromCorpus } from '../worker/train/corpus-train';
import { evalText, TextEval } from '../worker/train/eval-text';
import { wholeNumber } from './args';
import { progressBar } from './progress';

const OPTIONS = {
  corpus: { type: 'string' },
  clip: { type: 'string' },
  from: { type: 'string' },
  mix: { type: 'string' },
  'mix-share': { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  version: { type: 'string' },
  seed: { type: 'string' },
  'denoiser-steps': { type: 'string' },
  'decoder-steps': { type: 'string' },
  draws: { type: 'string' },
  bundle: { type: 'string' },
} as const;

const report = (label: string, e: TextEval) =>
  `${label}: BLEU-1 ${e.scores.bleu1.toFixed(3)} BLEU-4 ${e.scores.bleu4.toFixed(3)} ROUGE-L ${e.scores.rougeL.toFixed(3)} CIDEr-D ${e.scores.ciderD.toFixed(3)}`;

/** `train --corpus F --clip B` or `finetune --from B --corpus F [--mix F --mix-share 0.3]`. */
export async function trainCommand(args: string[], finetune: boolean): Promise<number> {
  const { values: v } = parseArgs({ args, options: OPTIONS });
  if (!v.corpus) throw new Error(`${finetune ? 'finetune' : 'train'}: --corpus FILE is required`);
  const baseRef = finetune ? v.from : v.clip;
  if (!baseRef) throw new Error(finetune ? 'finetune: --from BUNDLE is required' : 'train: --clip BUNDLE (a bundle whose CLIP to use) is required');
  const clip = finetune ? null : loadClip(baseRef);
  const base = finetune ? loadBundle(baseRef) : null;
  const name = v.name ?? (base ? base.manifest.name : path.basename(v.corpus).replace(/\.[^.]+$/, ''));
  const version = v.version ?? (base ? bump(base.manifest.version) : '1.0.0');
  const out = v.out ?? path.join(modelsDir(), `${name}-${version}`);
  const abort = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after this step (checkpointed; run the same command to resume)...\n');
    abort.abort();
  });
  const bars = { denoiser: progressBar('denoiser'), decoder: progressBar('decoder') };
  const share = v['mix-share'] === undefined ? 0.3 : Number(v['mix-share']);
  if (!(share >= 0)) throw new Error(`--mix-share must be a number >= 0, got "${v['mix-share']}"`);
  const r = await trainFromCorpus((base ?? clip)!, {
    corpus: v.corpus,
    base: base ?? undefined,
    mix: base && v.mix ? { corpus: v.mix, share } : undefined,
    out, name, version,
    runDir: path.join(modelsDir(), '..', 'runs', `${name}-${version}`),
    seed: wholeNumber('seed', v.seed, 0) ?? 0,
    denoiserSteps: wholeNumber('denoiser-steps', v['denoiser-steps'], 1) ?? (finetune ? 2000 : 10000),
    decoderSteps: wholeNumber('decoder-steps', v['decoder-steps'], 1) ?? (finetune ? 2000 : 10000),
    draws: wholeNumber('draws', v.draws, 1) ?? 4,
    signal: abort.signal,
    command: `npx altbridge ${finetune ? 'finetune' : 'train'} ${args.join(' ')}`,
    onStage: (s, d) => process.stderr.write(`[${s}] ${d}\n`),
    onProgress: (s, p) => (s === 'denoiser' || s === 'decoder') && bars[s](p),
  });
  process.stdout.write(`wrote ${r.manifest.name}@${r.manifest.version} to ${out}\n`);
  if (r.eval) {
    process.stdout.write(report('new bundle, held-out text', r.eval) + '\n');
    if (base) process.stdout.write(report('old bundle, same lines', await evalText(base, r.eval.samples.map((s) => s.line))) + '\n');
  }
  return 0;
}

/** 1.2.3 -> 1.2.4; anything else gets ".1" appended. */
function bump(version: string): string {
  const m = /^(.*\.)(\d+)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${version}.1`;
}

/** `eval-text --bundle B --corpus F`: reconstruction of the corpus's held-out lines from their own text embeddings. */
export async function evalTextCommand(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: OPTIONS });
  if (!v.bundle || !v.corpus) throw new Error('eval-text: --bundle B and --corpus FILE are required');
  const { heldOut } = await readCorpus(v.corpus);
  const e = await evalText(loadBundle(v.bundle), heldOut);
  for (const s of e.samples.slice(0, 5)) process.stdout.write(`  ${s.line}\n  -> ${s.caption}\n`);
  process.stdout.write(report(`${heldOut.length} held-out lines`, e) + '\n');
  return 0;
}
