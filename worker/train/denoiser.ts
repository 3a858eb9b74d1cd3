/**
 * Trains the denoiser on text embeddings in diffusion space (z0 = eq. 6), as the Diffusion Bridge
 * paper and its authors' code do: T steps, cosine schedule, pred-x0 with an SNR-weighted MSE, x_t
 * re-projected to radius C, EMA of the weights.
 */
import * as ort from 'onnxruntime-node';
import { alphasCumprod, DiffusionConfig } from '../diffusion';
import { DenoiserConfig, denoiserTrain } from '../graph/denoiser';
import { buildTrainStep } from '../graph/train-step';
import { Rng } from './rng';
import { runStage, StageOptions, TrainResult } from './trainer';

export interface DenoiserTraining extends StageOptions {
  /** EMA decay of the weights kept for sampling (0.995 in the authors' code). */
  ema: number;
  /** Min-SNR weighting cap γ: the x0 error of step t is weighted min(SNR(t), γ). */
  snrCap: number;
}

export const DENOISER_TRAINING: Omit<DenoiserTraining, 'steps'> = { batchSize: 64, lr: 8e-5, warmup: 100, seed: 0, ema: 0.995, snrCap: 5 };

/** z0 [n, dim] rows -> EMA weights of a trained denoiser (and the run's history). */
export async function trainDenoiser(z0: Float32Array, cfg: DenoiserConfig, diffusion: DiffusionConfig, o: DenoiserTraining): Promise<TrainResult> {
  const dim = cfg.dim;
  const n = z0.length / dim;
  if (!Number.isInteger(n) || n < 1) throw new Error(`denoiser training: ${z0.length} values are not rows of ${dim}`);
  const alphas = alphasCumprod(diffusion);
  const data = {
    size: n,
    batch(idx: Uint32Array, rng: Rng) {
      const b = idx.length;
      const rows = new Float32Array(b * dim);
      idx.forEach((k, i) => rows.set(z0.subarray(k * dim, (k + 1) * dim), i * dim));
      const noise = Float32Array.from({ length: b * dim }, () => rng.normal());
      const t = new Float32Array(b);
      const sa = new Float32Array(b);
      const sb = new Float32Array(b);
      const weight = new Float32Array(b);
      for (let i = 0; i < b; i++) {
        const step = rng.int(diffusion.steps);
        const a = alphas[step];
        t[i] = step;
        sa[i] = Math.sqrt(a);
        sb[i] = Math.sqrt(1 - a);
        weight[i] = Math.min(a / (1 - a), o.snrCap);
      }
      const f = (x: Float32Array, dims: number[]) => new ort.Tensor('float32', x, dims);
      return { z0: f(rows, [b, dim]), noise: f(noise, [b, dim]), t: f(t, [b]), sa: f(sa, [b]), sb: f(sb, [b]), weight: f(weight, [b]) };
    },
  };
  const graph = buildTrainStep(denoiserTrain(cfg, diffusion.scale), { adamw: { weightDecay: 0 } });
  return runStage(graph, data, o, o.ema);
}
