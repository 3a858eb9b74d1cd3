/**
 * Trains a captioner from a caption corpus on a bundle's CLIP, as a list of stages: read the
 * corpus, embed it, train the denoiser on z0, store augmentation draws, train the decoder on them,
 * write the bundle, score it on the held-out lines. The list is the one source of the stage names
 * (progress, the admin's fine-tuning page). Each stage keeps its state in `runDir`, so a killed
 * run picks up again.
 */
import * as fs from 'fs';
import { ClipBundle } from '../bundle/load';
import { diffusionSettings, Manifest } from '../bundle/manifest';
import { runtimeConfig } from '../runtime';
import { wholeNumberIn } from '../validate';
import { TextEval } from './eval-text';
import { augmentStage } from './stages/augment';
import { corpusStage } from './stages/corpus';
import { decoderStage } from './stages/decoder';
import { denoiserStage } from './stages/denoiser';
import { embedStage } from './stages/embed';
import { evalStage } from './stages/eval';
import { CorpusTrainSettings, need, TrainState } from './stages/state';
import { writeStage } from './stages/write';
import { Progress } from './trainer';

/** The stages in the order they run. */
const CORPUS_STAGES = [
  { name: 'corpus', run: corpusStage },
  { name: 'embed', run: embedStage },
  { name: 'denoiser', run: denoiserStage },
  { name: 'augment', run: augmentStage },
  { name: 'decoder', run: decoderStage },
  { name: 'write', run: writeStage },
  { name: 'eval', run: evalStage },
] as const;

export type Stage = (typeof CORPUS_STAGES)[number]['name'];

/** The stage names in order. */
export const STAGE_NAMES: Stage[] = CORPUS_STAGES.map((s) => s.name);

export interface CorpusTrainOptions extends CorpusTrainSettings {
  /** A stage starts, with a line saying what it does. */
  onStage?: (stage: Stage, detail: string) => void;
  /** A training stage took a step. */
  onProgress?: (stage: Stage, p: Progress) => void;
}

export interface CorpusTrainResult {
  manifest: Manifest;
  /** The new bundle on the held-out lines; null when the corpus held none out. */
  eval: TextEval | null;
  /** A fine-tune's base on the same lines (null for a new captioner or without held-out lines). */
  baseEval: TextEval | null;
}

export async function trainFromCorpus(clip: ClipBundle, o: CorpusTrainOptions): Promise<CorpusTrainResult> {
  if (fs.existsSync(o.out)) throw new Error(`train: ${o.out} already exists; choose a new folder (bundles are never overwritten)`);
  const diffusion = diffusionSettings(clip.manifest);
  if (o.augmentStep !== undefined) {
    if (o.base) throw new Error("train: a fine-tune keeps its base bundle's augmentation step");
    diffusion.augmentStep = wholeNumberIn('train: the augmentation step', o.augmentStep, 1, diffusion.steps - 1);
  }
  fs.mkdirSync(o.runDir, { recursive: true });
  const s: TrainState = { clip, o, runtime: o.runtime ?? runtimeConfig(), diffusion };
  for (const { name, run } of CORPUS_STAGES) {
    await run(s, { announce: (detail) => o.onStage?.(name, detail), progress: (p) => o.onProgress?.(name, p) });
  }
  return { manifest: need(s.manifest, 'the written bundle'), eval: s.eval?.new ?? null, baseEval: s.eval?.base ?? null };
}
