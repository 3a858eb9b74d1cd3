/**
 * Diffusion bridging as one graph: eq. 6 preprocessing of CLIP embeddings, then DDIM (η = 0)
 * from step M to 0 in S steps with a pred-x0 denoiser, x re-projected to radius C before every
 * denoiser call. All S steps sit in one graph so a GPU keeps the loop on the device.
 */
import { ddimTimesteps } from '../diffusion';
import { Graph, T } from './graph';
import * as o from './ops';

/** A pred-x0 denoiser: x [B, D] at timesteps t [B] (float) -> x0 [B, D]. */
export type Denoise = (x: T, t: T) => T;

/** C · x / ‖x‖ row-wise. */
export const toRadius = (x: T, scale: number): T =>
  o.mul(o.div(x, o.sqrt(o.add(o.reduceSum(o.mul(x, x), [-1], true), 1e-12))), scale);

/** eq. 6: z = C · n(n(e) − ē). */
const diffusionSpace = (e: T, mean: T, scale: number): T => toRadius(o.sub(toRadius(e, 1), mean), scale);

/**
 * DDIM from the given timesteps down to x0; returns the final x (re-projected to radius C) and
 * the trajectory (x entering each step, then the result).
 */
export function ddim(x: T, times: number[], alphas: Float64Array, scale: number, denoise: Denoise): { out: T; trajectory: T[] } {
  const g = x.g;
  const batch = o.slice(o.shapeOf(x), 0, 0, 1);
  const trajectory: T[] = [];
  let cur = toRadius(x, scale);
  times.forEach((t, k) => {
    trajectory.push(cur);
    const x0 = denoise(cur, o.expand(g.constant([t], [1]), batch, [x.shape[0]]));
    const a = alphas[t];
    const ap = k + 1 < times.length ? alphas[times[k + 1]] : 1;
    // x' = √ā' x0 + √(1-ā') ε with ε = (x - √ā x0)/√(1-ā), folded into x' = c1 x + c2 x0.
    const c1 = Math.sqrt((1 - ap) / (1 - a));
    const c2 = Math.sqrt(ap) - c1 * Math.sqrt(a);
    const next = c1 === 0 ? x0 : o.add(o.mul(cur, c1), o.mul(x0, c2));
    cur = toRadius(next, scale);
  });
  trajectory.push(cur);
  return { out: cur, trajectory };
}

export interface BridgeGraphOptions {
  dim: number;
  /** ē_img: mean of the normalised image embeddings. */
  imageMean: Float32Array;
  scale: number;
  alphas: Float64Array;
  times: number[];
  denoise: Denoise;
}

/** Inputs `image_embeds` [B, dim]; outputs `bridged` [B, dim] (radius C). M = 0 (no times) is eq. 6 alone. */
export function bridgeNet(opts: BridgeGraphOptions) {
  return (g: Graph) => {
    const e = g.input('image_embeds', g.float, ['B', opts.dim]);
    const z = diffusionSpace(e, g.constant(opts.imageMean, [opts.dim]), opts.scale);
    return { bridged: ddim(z, opts.times, opts.alphas, opts.scale, opts.denoise).out };
  };
}

export interface AugmentGraphOptions {
  dim: number;
  scale: number;
  alphas: Float64Array;
  /** Augmentation step A. */
  step: number;
  /** DDIM steps back from A. */
  ddimSteps: number;
  denoise: Denoise;
}

/**
 * Diffusion augmentation (eq. 7): z_A = √ā_A z0 + √(1-ā_A) ε from inputs `z0` and `noise`
 * [B, dim], then DDIM back to x0: `augmented` [B, dim] (radius C), what the decoder trains on.
 */
export function augmentNet(o2: AugmentGraphOptions) {
  return (g: Graph) => {
    const z0 = g.input('z0', g.float, ['B', o2.dim]);
    const noise = g.input('noise', g.float, ['B', o2.dim]);
    const a = o2.alphas[o2.step];
    const za = o.add(o.mul(z0, Math.sqrt(a)), o.mul(noise, Math.sqrt(1 - a)));
    return { augmented: ddim(za, ddimTimesteps(o2.step + 1, o2.ddimSteps), o2.alphas, o2.scale, o2.denoise).out };
  };
}
