/**
 * A build's captioner stage: denoiser and decoder trained on a corpus over the build's CLIP, into
 * the bundle folder. A stopped stage resumes from its checkpoints; a finished one is reused only
 * for the same CLIP, corpus and settings.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClipBundle, loadBundle, sha256File } from '../worker/bundle/load';
import { Manifest } from '../worker/bundle/manifest';
import { CorpusOptions } from '../worker/corpus/read';
import { DecoderConfig } from '../worker/graph/decoder';
import { DenoiserConfig } from '../worker/graph/denoiser';
import { Stage, trainFromCorpus } from '../worker/train/corpus-train';
import { Progress } from '../worker/train/trainer';
import { sameInputs } from './stage-stamp';
import { timed } from './stage-times';

/** Where and how a build runs (the same for every stage). */
export interface BuildRun {
  work: string;
  out: string;
  name: string;
  version: string;
  command: string;
  /** The captioner's checkpoints; work/runs/captioner when absent (builds sharing one work folder need their own). */
  captionerRuns?: string;
  onStage?: (stage: string, detail: string) => void;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

/** The part of a build's recipe that decides the captioner's weights. */
export interface CaptionerRecipe {
  seed: number;
  denoiserSteps: number;
  decoderSteps: number;
  draws: number;
  /** The augmentation step A; the CLIP bundle's own, else the paper's, when absent. */
  augmentStep?: number;
  denoiser?: Partial<DenoiserConfig>;
  decoder?: Partial<DecoderConfig>;
}

/** Trains (or reuses) the captioner on `corpus` into `o.out`, with checkpoints in o.captionerRuns. */
export async function captionerStage(clip: ClipBundle, corpus: string, r: CaptionerRecipe, o: BuildRun, corpusOptions?: CorpusOptions): Promise<Manifest> {
  const runDir = o.captionerRuns ?? path.join(o.work, 'runs', 'captioner');
  const { seed, denoiserSteps, decoderSteps, draws, augmentStep, denoiser, decoder } = r;
  // What decides the weights (not the folder, name or command): the same ones written elsewhere resume from the checkpoints.
  const inputs = { corpus: sha256File(corpus), clip: clip.manifest.createdAt, seed, denoiserSteps, decoderSteps, draws, augmentStep, denoiser, decoder, corpusOptions };
  if (sameInputs(runDir, inputs) && fs.existsSync(path.join(o.out, 'manifest.json'))) return loadBundle(o.out).manifest;
  const trained = await timed(o.work, 'captioner', () =>
    trainFromCorpus(clip, {
      corpus,
      corpusOptions,
      out: o.out,
      name: o.name,
      version: o.version,
      runDir,
      seed,
      denoiserSteps,
      decoderSteps,
      draws,
      augmentStep,
      denoiser,
      decoder,
      command: o.command,
      signal: o.signal,
      onStage: (s: Stage, d) => o.onStage?.(s, d),
      onProgress: (s, p) => o.onProgress?.(s, p),
    }),
  );
  return trained.manifest;
}
