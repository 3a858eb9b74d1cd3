/**
 * What the stages of corpus training share: the run's settings, and what each stage leaves for the
 * stages after it. A stage reads only what earlier stages filled in; `need` names a missing one.
 */
import { Bundle, ClipBundle } from '../../bundle/load';
import { diffusionSettings, Manifest } from '../../bundle/manifest';
import { ClipTokenizer } from '../../clip/tokenizer';
import { CorpusOptions, CorpusReport } from '../../corpus/read';
import { DecoderConfig } from '../../graph/decoder';
import { DenoiserConfig } from '../../graph/denoiser';
import { RuntimeConfig } from '../../runtime';
import { TextEval } from '../eval-text';
import { Progress, TrainResult } from '../trainer';
import { Vocab } from '../vocab';

/** A corpus training run's settings (everything but the callbacks). */
export interface CorpusTrainSettings {
  corpus: string;
  /** How the corpus is read (e.g. names of one or two words need minWords 1); the product's defaults otherwise. */
  corpusOptions?: CorpusOptions;
  /** Fine-tuning: continue this bundle's denoiser and decoder (vocabulary extended, ē_text kept). */
  base?: Bundle;
  /** Fine-tuning against forgetting: lines of this corpus mixed in, `share` of the new corpus's count. */
  mix?: { corpus: string; share: number };
  /** Where the new bundle goes; must not exist yet. */
  out: string;
  name: string;
  version: string;
  /** Checkpoints and stored draws, so that a stopped run resumes. */
  runDir: string;
  seed: number;
  denoiserSteps: number;
  decoderSteps: number;
  /** Stored augmentation draws per caption. */
  draws: number;
  /** The augmentation step A of a new captioner; the CLIP bundle's own, else the paper's, when absent. */
  augmentStep?: number;
  denoiser?: Partial<DenoiserConfig>;
  decoder?: Partial<DecoderConfig>;
  runtime?: RuntimeConfig;
  signal?: AbortSignal;
  cacheDir?: string;
  /** The command recorded in the new bundle's provenance. */
  command?: string;
}

export interface TrainState {
  readonly clip: ClipBundle;
  readonly o: CorpusTrainSettings;
  readonly runtime: RuntimeConfig;
  readonly diffusion: ReturnType<typeof diffusionSettings>;
  /** corpus: the training lines (mixed-in ones included), the held-out ones, and their decoder ids. */
  text?: { lines: string[]; heldOut: string[]; report: CorpusReport; tok: ClipTokenizer; vocab: Vocab; captions: number[][] };
  /** embed: ē_text and the training lines in diffusion space (eq. 6), [n, dim]. */
  space?: { textMean: Float32Array; z0: Float32Array };
  denoiser?: { cfg: DenoiserConfig; trained: TrainResult };
  /** augment: K stored draws per line, [K, n, dim]. */
  conds?: Float32Array;
  decoder?: { cfg: DecoderConfig; trained: TrainResult };
  manifest?: Manifest;
  /** eval: the new bundle on the held-out lines and, for a fine-tune, the base on the same lines (null without held-out lines). */
  eval?: { new: TextEval; base: TextEval | null } | null;
}

/** What a stage tells the caller: one line as it starts, then training progress. */
export interface StageIO {
  announce(detail: string): void;
  progress(p: Progress): void;
}

export type StageFn = (s: TrainState, io: StageIO) => Promise<void>;

/** A stage's input that an earlier stage should have produced. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`train: ${what} is not there yet (the stages ran out of order)`);
  return value;
}

/** A training stage stopped by the signal: its checkpoint is kept, so the same run resumes. */
export function cancelled(): Error {
  return new Error('train: cancelled (run again to resume)');
}
