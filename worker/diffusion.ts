/**
 * The DDPM of Diffusion Bridge (CVPR 2025) over text embeddings: the cosine noise schedule of
 * Improved DDPM, the paper's eq. 6 preprocessing and the DDIM timesteps used for bridging and
 * augmentation.
 */
import { wholeNumberIn } from './validate';

export interface DiffusionConfig {
  /** Diffusion steps T (1000). */
  steps: number;
  /** Cosine schedule offset s (0.008). */
  cosineS: number;
  /** Radius C of eq. 6 (5). */
  scale: number;
}

export const DIFFUSION_DEFAULTS: DiffusionConfig = { steps: 1000, cosineS: 0.008, scale: 5 };

/** The paper's bridging depth M, DDIM steps S and augmentation step A, for bundles that do not set their own. */
export const BRIDGE_DEFAULTS = { defaultM: 600, ddimSteps: 5, augmentStep: 400 };

/** ᾱ_t for t = 0..T-1 of the cosine schedule (betas clipped at 0.999, as Improved DDPM does). */
export function alphasCumprod(c: DiffusionConfig): Float64Array {
  const f = (t: number) => Math.cos(((t / c.steps + c.cosineS) / (1 + c.cosineS)) * (Math.PI / 2)) ** 2;
  const out = new Float64Array(c.steps);
  let prod = 1;
  for (let t = 0; t < c.steps; t++) {
    const beta = Math.min(1 - f(t + 1) / f(t), 0.999);
    prod *= 1 - beta;
    out[t] = prod;
  }
  return out;
}

/** Bridging depths run from 0 (no bridging) to T. */
export const MAX_M = DIFFUSION_DEFAULTS.steps;
/**
 * Most DDIM steps one bridge may take: the paper uses 5, and each step is a denoiser run per image,
 * so a request may not buy more than 10 times that.
 */
export const MAX_BRIDGE_STEPS = 50;

/** A validated bridging schedule: depth M, DDIM steps S and the timesteps they visit. */
export interface BridgeSchedule {
  m: number;
  steps: number;
  timesteps: number[];
}

/**
 * The one place M and S are checked and defaulted, for every caller (CLI, queue, preview, eval):
 * S not given is min(defaultSteps, M, MAX_BRIDGE_STEPS) (a default saved before the cap runs at
 * the cap rather than failing every job); M = 0 bridges nothing (S = 0).
 */
export function bridgingSchedule(m: number, steps: number | undefined, defaultSteps: number): BridgeSchedule {
  wholeNumberIn('M', m, 0, MAX_M);
  if (m === 0) return { m, steps: 0, timesteps: [] };
  const s = wholeNumberIn('DDIM steps', steps ?? Math.min(defaultSteps, m, MAX_BRIDGE_STEPS), 1, Math.min(m, MAX_BRIDGE_STEPS));
  return { m, steps: s, timesteps: ddimTimesteps(m, s) };
}

/**
 * DDIM timesteps from step M down in S evenly spaced steps: M-1, M-1-M/S, ... (599, 479, 359,
 * 239, 119 for M = 600, S = 5); the step after the last one is x0. Empty for M = 0.
 */
export function ddimTimesteps(m: number, s: number): number[] {
  wholeNumberIn('M', m, 0);
  if (m === 0) return [];
  wholeNumberIn(`DDIM steps (M = ${m})`, s, 1, m);
  return Array.from({ length: s }, (_, k) => m - 1 - Math.round((k * m) / s));
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** eq. 6: z = C · n(n(e) − ē) for one embedding (ē of the embedding's own modality). */
export function toDiffusionSpace(e: ArrayLike<number>, mean: ArrayLike<number>, scale: number): Float32Array {
  const ne = norm(e);
  const centred = Float32Array.from(e, (v, i) => v / ne - mean[i]);
  const nc = norm(centred);
  return centred.map((v) => (scale * v) / nc);
}

/** Mean of the L2-normalised rows of [n, dim] embeddings (ē_text or ē_img). */
export function meanOfNormalised(rows: Float32Array, dim: number): Float32Array {
  const n = rows.length / dim;
  if (!Number.isInteger(n) || n === 0) throw new Error('mean embedding: no rows');
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    const row = rows.subarray(r * dim, (r + 1) * dim);
    const k = norm(row);
    for (let i = 0; i < dim; i++) mean[i] += row[i] / k / n;
  }
  return Float32Array.from(mean);
}
