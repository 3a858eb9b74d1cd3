/**
 * The one fine-tuning path, free of Strapi and of any terminal: continue a bundle on a domain corpus
 * (trainFromCorpus with `base`), write the new version, and compare it with the base on the
 * corpus's held-out lines. Progress goes out as messages. The admin panel runs this in a child
 * process (child.ts) so that Strapi and captioning stay responsive; `altbridge finetune` runs it
 * in its own process with a progress bar.
 */
import * as path from 'path';
import { Bundle, loadBundle, resolveBundle } from '../bundle/load';
import { nextVersion, reserveVersion } from '../bundle/version';
import type { CaptionScores } from '../metrics';
import { Stage, STAGE_NAMES, trainFromCorpus } from '../train/corpus-train';
import { TextEval } from '../train/eval-text';
import { trainTarget } from '../train/target';

export interface FinetuneSpec {
  /** The bundle to continue: name@version, or a name (its highest version), in modelsDir; or a bundle folder. */
  base: string;
  corpus: string;
  /** Lines of another corpus (usually the base's own) mixed in against forgetting, `share` of the new corpus's line count. */
  mix?: { corpus: string; share: number };
  /** Folder of installed bundles: where `base` is looked up and the new version goes. */
  modelsDir: string;
  /** Name of the new version; the base's when absent. */
  name?: string;
  /** The new version; when absent, the first bump of the base's version that modelsDir does not hold. */
  version?: string;
  /** Folder of the new bundle; modelsDir/NAME-VERSION when absent. */
  out?: string;
  /** Checkpoints (the same folder resumes a stopped run); runs/NAME-VERSION beside modelsDir when absent. */
  runDir?: string;
  denoiserSteps: number;
  decoderSteps: number;
  draws: number;
  seed: number;
  cacheDir?: string;
  /** Recorded in the new bundle's provenance. */
  command?: string;
}

export interface FinetuneEval {
  lines: number;
  /** Scores of the new bundle and of the base, on the same held-out lines (null without held-out lines). */
  new: CaptionScores | null;
  active: CaptionScores | null;
  samples: { line: string; new: string; active: string }[];
}

export type FinetuneDone = { type: 'done'; bundle: string; dir: string; eval: FinetuneEval };

export type FinetuneMessage =
  | { type: 'stage'; stage: Stage; detail: string }
  | { type: 'progress'; stage: Stage; step: number; total: number; loss: number; lr: number; etaSec: number; stepsPerSec: number; unitsPerSec: number }
  | FinetuneDone
  | { type: 'error'; message: string; cancelled: boolean };

/** The stages a run goes through, in order (the corpus trainer's own list). */
export const FINETUNE_STAGES: Stage[] = STAGE_NAMES;

/** Samples of the comparison kept in the result. */
const SAMPLES = 10;

function compare(fresh: TextEval | null, base: TextEval | null): FinetuneEval {
  if (!fresh || !base) return { lines: 0, new: null, active: null, samples: [] };
  return {
    lines: fresh.samples.length,
    new: fresh.scores,
    active: base.scores,
    samples: fresh.samples.slice(0, SAMPLES).map((s, i) => ({ line: s.line, new: s.caption, active: base.samples[i].caption })),
  };
}

/**
 * Runs the fine-tune; the 'done' message is emitted and also returned. A stopped run throws and
 * resumes from its checkpoints. The target version is reserved (its name and version checked) for
 * the run's lifetime: a second run (another CLI, the admin's) targeting it is refused rather than
 * writing the same folders.
 */
export async function runFinetune(spec: FinetuneSpec, emit: (m: FinetuneMessage) => void, signal?: AbortSignal): Promise<FinetuneDone> {
  const base = loadBundle(resolveBundle(spec.base, spec.modelsDir));
  const name = spec.name ?? base.manifest.name;
  const version = spec.version ?? nextVersion(name, base.manifest.version, spec.modelsDir);
  const reservation = reserveVersion(spec.modelsDir, name, version);
  try {
    return await train(spec, base, name, version, emit, signal);
  } finally {
    reservation.release();
  }
}

async function train(spec: FinetuneSpec, base: Bundle, name: string, version: string, emit: (m: FinetuneMessage) => void, signal?: AbortSignal): Promise<FinetuneDone> {
  const target = trainTarget(spec.modelsDir, name, version);
  const out = spec.out ?? target.out;
  const r = await trainFromCorpus(base, {
    corpus: spec.corpus,
    base,
    mix: spec.mix,
    out,
    name,
    version,
    runDir: spec.runDir ?? target.runDir,
    seed: spec.seed,
    denoiserSteps: spec.denoiserSteps,
    decoderSteps: spec.decoderSteps,
    draws: spec.draws,
    signal,
    cacheDir: spec.cacheDir,
    command: spec.command ?? `fine-tuning of ${base.manifest.name}@${base.manifest.version} on ${path.basename(spec.corpus)}`,
    onStage: (stage, detail) => emit({ type: 'stage', stage, detail }),
    onProgress: (stage, p) => emit({ type: 'progress', stage, step: p.step, total: p.total, loss: p.loss, lr: p.lr, etaSec: p.etaSec, stepsPerSec: p.stepsPerSec, unitsPerSec: p.unitsPerSec }),
  });
  const done: FinetuneDone = { type: 'done', bundle: `${r.manifest.name}@${r.manifest.version}`, dir: out, eval: compare(r.eval, r.baseEval) };
  emit(done);
  return done;
}
