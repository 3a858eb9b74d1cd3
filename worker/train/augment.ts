/**
 * Diffusion-augmented text embeddings (eq. 7): K draws per caption of z_A = q_sample(z0, A)
 * denoised back to x0 by DDIM, computed once with the trained denoiser and stored ([K, n, dim]).
 * Stored draws keep decoder training reproducible and free of diffusion cost per step, while K
 * different draws still vary what the decoder sees (DecoderTraining picks one per example per step).
 */
import * as ort from 'onnxruntime-node';
import { alphasCumprod, DiffusionConfig } from '../diffusion';
import { augmentNet } from '../graph/bridge';
import { denoiser, DenoiserConfig } from '../graph/denoiser';
import { buildInference } from '../graph/train-step';
import { openSession, RuntimeConfig, runtimeConfig } from '../runtime';
import { Rng } from './rng';

export interface AugmentOptions {
  /** Augmentation step A (400). */
  step: number;
  /** DDIM steps back to 0. */
  ddimSteps: number;
  draws: number;
  seed: number;
  batchSize?: number;
  runtime?: RuntimeConfig;
}

export async function augment(z0: Float32Array, weights: Map<string, Float32Array>, cfg: DenoiserConfig, diffusion: DiffusionConfig, o: AugmentOptions): Promise<Float32Array> {
  const dim = cfg.dim;
  const n = z0.length / dim;
  const net = augmentNet({ dim, scale: diffusion.scale, alphas: alphasCumprod(diffusion), step: o.step, ddimSteps: o.ddimSteps, denoise: (x, t) => denoiser(x, t, cfg) });
  const session = await openSession(buildInference(net, weights), o.runtime ?? runtimeConfig(), 'augment');
  const out = new Float32Array(o.draws * n * dim);
  const batch = o.batchSize ?? 512;
  try {
    for (let k = 0; k < o.draws; k++) {
      for (let start = 0; start < n; start += batch) {
        const b = Math.min(batch, n - start);
        const rng = new Rng(o.seed, k, start);
        const noise = Float32Array.from({ length: b * dim }, () => rng.normal());
        const rows = z0.slice(start * dim, (start + b) * dim);
        const res = await session.run({ z0: new ort.Tensor('float32', rows, [b, dim]), noise: new ort.Tensor('float32', noise, [b, dim]) });
        out.set(res.augmented.data as Float32Array, (k * n + start) * dim);
      }
    }
  } finally {
    await session.release();
  }
  return out;
}
