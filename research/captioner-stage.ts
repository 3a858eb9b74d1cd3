/**
 * A build's captioner stage: denoiser and decoder trained on a corpus over the build's CLIP, into
 * the bundle folder. A stopped stage resumes from its checkpoints; a finished one is reused only
 * for the same CLIP, corpus and settings.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClipBundle, loadBundle, sha256File } from '../worker/bundle/load';
import { Manifest } from '../worker/bundle/manifest';
import { Stage, trainFromCorpus } from '../worker/train/corpus-train';
import { CorpusTrainSettings } from '../worker/train/stages/state';
import { Progress } from '../worker/train/trainer';
import { sameInputs } from './stage-stamp';
import { timed } from './stage-times';

export interface CaptionerStageOptions extends Omit<CorpusTrainSettings, 'runDir' | 'base' | 'mix'> {
  /** The build's work folder: checkpoints go to work/runs/captioner. */
  work: string;
  onStage?: (stage: string, detail: string) => void;
  onProgress?: (stage: string, p: Progress) => void;
}

export async function captionerStage(clip: ClipBundle, o: CaptionerStageOptions): Promise<Manifest> {
  const { work, onStage, onProgress } = o;
  const runDir = path.join(work, 'runs', 'captioner');
  // What decides the weights (not the folder, name or command): the same ones written elsewhere resume from the checkpoints.
  const { seed, denoiserSteps, decoderSteps, draws, corpusOptions, denoiser, decoder } = o;
  const inputs = { corpus: sha256File(o.corpus), clip: clip.manifest.createdAt, seed, denoiserSteps, decoderSteps, draws, corpusOptions, denoiser, decoder };
  if (sameInputs(runDir, inputs) && fs.existsSync(path.join(o.out, 'manifest.json'))) return loadBundle(o.out).manifest;
  const r = await timed(work, 'captioner', () =>
    trainFromCorpus(clip, {
      ...o,
      runDir,
      onStage: (s: Stage, d) => onStage?.(s, d),
      onProgress: (s, p) => onProgress?.(s, p),
    }),
  );
  return r.manifest;
}
