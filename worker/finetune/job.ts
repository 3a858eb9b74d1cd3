/**
 * A fine-tuning run as the admin panel starts it, free of Strapi: continue the active bundle on an
 * uploaded corpus (trainFromCorpus with `base`), write the new version next to it, and compare the
 * new and the active bundle on the corpus's held-out lines. Progress goes out as messages; the
 * Strapi side runs this in a child process (child.ts) so that Strapi and captioning stay responsive.
 */
import * as path from 'path';
import { listBundles, loadBundle } from '../bundle/load';
import { readCorpus } from '../corpus/read';
import type { CaptionScores } from '../metrics';
import { trainFromCorpus, Stage } from '../train/corpus-train';
import { evalText } from '../train/eval-text';

export interface FinetuneSpec {
  /** The bundle to continue, name@version. */
  base: string;
  corpus: string;
  /** Folder of bundles the new version is written into. */
  modelsDir: string;
  name: string;
  version: string;
  runDir: string;
  denoiserSteps: number;
  decoderSteps: number;
  draws: number;
  seed: number;
  cacheDir?: string;
}

export interface FinetuneEval {
  lines: number;
  /** Scores of the new bundle and of the base, on the same held-out lines (null without held-out lines). */
  new: CaptionScores | null;
  active: CaptionScores | null;
  samples: { line: string; new: string; active: string }[];
}

export type FinetuneMessage =
  | { type: 'stage'; stage: Stage; detail: string }
  | { type: 'progress'; stage: Stage; step: number; total: number; loss: number; etaSec: number; stepsPerSec: number }
  | { type: 'done'; bundle: string; dir: string; eval: FinetuneEval }
  | { type: 'error'; message: string; cancelled: boolean };

export const FINETUNE_STAGES: Stage[] = ['corpus', 'embed', 'denoiser', 'augment', 'decoder', 'write', 'eval'];

export async function runFinetune(spec: FinetuneSpec, emit: (m: FinetuneMessage) => void, signal?: AbortSignal): Promise<void> {
  const found = listBundles(spec.modelsDir).find((b) => `${b.name}@${b.version}` === spec.base);
  if (!found) throw new Error(`bundle ${spec.base} is not in ${spec.modelsDir}`);
  const base = loadBundle(found.dir);
  const out = path.join(spec.modelsDir, `${spec.name}-${spec.version}`);
  const r = await trainFromCorpus(base, {
    corpus: spec.corpus,
    base,
    out,
    name: spec.name,
    version: spec.version,
    runDir: spec.runDir,
    seed: spec.seed,
    denoiserSteps: spec.denoiserSteps,
    decoderSteps: spec.decoderSteps,
    draws: spec.draws,
    signal,
    cacheDir: spec.cacheDir,
    command: `admin panel fine-tuning of ${spec.base} on ${path.basename(spec.corpus)}`,
    onStage: (stage, detail) => emit({ type: 'stage', stage, detail }),
    onProgress: (stage, p) => emit({ type: 'progress', stage, step: p.step, total: p.total, loss: p.loss, etaSec: p.etaSec, stepsPerSec: p.stepsPerSec }),
  });
  let evaluation: FinetuneEval = { lines: 0, new: null, active: null, samples: [] };
  if (r.eval) {
    const lines = r.eval.samples.map((s) => s.line);
    const old = await evalText(base, lines, { cacheDir: spec.cacheDir });
    evaluation = {
      lines: lines.length,
      new: r.eval.scores,
      active: old.scores,
      samples: r.eval.samples.slice(0, 10).map((s, i) => ({ line: s.line, new: s.caption, active: old.samples[i].caption })),
    };
  } else {
    // No held-out lines: nothing to compare on.
    const { heldOut } = await readCorpus(spec.corpus);
    evaluation.lines = heldOut.length;
  }
  emit({ type: 'done', bundle: `${r.manifest.name}@${r.manifest.version}`, dir: out, eval: evaluation });
}
