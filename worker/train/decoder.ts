/**
 * Decoder training (eq. 8): teacher forcing on captions conditioned on diffusion-augmented text
 * embeddings. `conds` holds K stored augmentation draws per caption [K, n, dim]; each step picks
 * one draw per example from its own random stream, so the decoder sees fresh augmentations epoch
 * after epoch without re-running the diffusion model inside the training loop.
 */
import * as ort from 'onnxruntime-node';
import { DecoderConfig, decoderTrain } from '../graph/decoder';
import { buildTrainStep } from '../graph/train-step';
import { Rng } from './rng';
import { runStage, StageOptions, TrainResult } from './trainer';
import { BOS, EOS, PAD } from './vocab';

export interface DecoderTraining extends StageOptions {
  smoothing: number;
  weightDecay: number;
}

export const DECODER_TRAINING: Omit<DecoderTraining, 'steps'> = { batchSize: 64, lr: 1e-3, warmup: 100, seed: 0, smoothing: 0.1, weightDecay: 0.01 };

/** `captions` in decoder ids (no start/end); `conds` [K, n, condDim]. */
export async function trainDecoder(captions: number[][], conds: Float32Array, cfg: DecoderConfig, o: DecoderTraining): Promise<TrainResult> {
  const n = captions.length;
  const dim = cfg.condDim;
  const draws = conds.length / (n * dim);
  if (!Number.isInteger(draws) || draws < 1) throw new Error(`decoder training: ${conds.length} condition values are not K x ${n} x ${dim}`);
  const len = cfg.maxLen;
  const data = {
    size: n,
    batch(idx: Uint32Array, rng: Rng) {
      const b = idx.length;
      const tokens = new BigInt64Array(b * len).fill(BigInt(PAD));
      const targets = new BigInt64Array(b * len).fill(BigInt(PAD));
      const cond = new Float32Array(b * dim);
      idx.forEach((k, i) => {
        // Input: start + caption; target: caption + end, cut to the window.
        const seq = [BOS, ...captions[k].slice(0, len - 1), EOS];
        for (let j = 0; j < len && j + 1 < seq.length; j++) {
          tokens[i * len + j] = BigInt(seq[j]);
          targets[i * len + j] = BigInt(seq[j + 1]);
        }
        const draw = rng.int(draws);
        cond.set(conds.subarray((draw * n + k) * dim, (draw * n + k + 1) * dim), i * dim);
      });
      return {
        tokens: new ort.Tensor('int64', tokens, [b, len]),
        targets: new ort.Tensor('int64', targets, [b, len]),
        cond: new ort.Tensor('float32', cond, [b, dim]),
      };
    },
    units: (idx: Uint32Array) => Array.from(idx, (k) => Math.min(captions[k].length + 1, len)).reduce((a, b) => a + b, 0),
  };
  const graph = buildTrainStep(decoderTrain(cfg, { smoothing: o.smoothing, ignoreIndex: PAD }), { adamw: { weightDecay: o.weightDecay } });
  return runStage(graph, data, o);
}
