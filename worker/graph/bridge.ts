/**
 * The DDIM (η = 0) of diffusion bridging and augmentation: from step M to 0 in S steps with a
 * pred-x0 denoiser, x at radius C at every denoiser call. Bridging runs one step as a graph
 * (`ddimStepNet`) S times from TypeScript (worker/bridge.ts), so nothing built depends on M or
 * S; augmentation, built once per training run, unrolls its steps into its graph (`ddim`).
 */
import { ddimTimesteps } from '../diffusion';
import { Graph, T } from './graph';
import * as o from './ops';

/** A pred-x0 denoiser: x [B, D] at timesteps t [B] (float) -> x0 [B, D]. */
export type Denoise = (x: T, t: T) => T;

/** C · x / ‖x‖ row-wise. */
export const toRadius = (x: T, scale: number): T => o.mul(o.div(x, o.sqrt(o.add(o.reduceSum(o.mul(x, x), [-1], true), 1e-12))), scale);

/**
 * The coefficients of DDIM step k over `times`: x' = √ā' x0 + √(1-ā') ε with ε = (x - √ā x0)/√(1-ā),
 * folded into x' = c1 x + c2 x0 (ā' = 1 after the last step, so c1 = 0, c2 = 1: x' = x0).
 */
export function ddimCoefficients(times: number[], alphas: Float64Array, k: number): { c1: number; c2: number } {
  const a = alphas[times[k]];
  const ap = k + 1 < times.length ? alphas[times[k + 1]] : 1;
  const c1 = Math.sqrt((1 - ap) / (1 - a));
  return { c1, c2: Math.sqrt(ap) - c1 * Math.sqrt(a) };
}

/** A timestep t [1] repeated for each row of x [B, D], as the denoiser takes it; `rows` is B as a shape. */
const perRow = (t: T, x: T, rows = o.slice(o.shapeOf(x), 0, 0, 1)): T => o.expand(t, rows, [x.shape[0]]);

/**
 * DDIM from the given timesteps down to x0, unrolled into one graph; returns the final x
 * (re-projected to radius C) and the trajectory (x entering each step, then the result).
 */
export function ddim(x: T, times: number[], alphas: Float64Array, scale: number, denoise: Denoise): { out: T; trajectory: T[] } {
  const rows = o.slice(o.shapeOf(x), 0, 0, 1);
  const trajectory: T[] = [];
  let cur = toRadius(x, scale);
  times.forEach((t, k) => {
    trajectory.push(cur);
    const x0 = denoise(cur, perRow(x.g.constant([t], [1]), x, rows));
    const { c1, c2 } = ddimCoefficients(times, alphas, k);
    cur = toRadius(c1 === 0 ? x0 : o.add(o.mul(cur, c1), o.mul(x0, c2)), scale);
  });
  trajectory.push(cur);
  return { out: cur, trajectory };
}

export interface DdimStepGraphOptions {
  dim: number;
  scale: number;
  denoise: Denoise;
}

/**
 * One DDIM step of `ddim`: inputs `x` [B, dim] (at radius C), `t` [1] (the timestep), `c1` and
 * `c2` [] (ddimCoefficients); output `next` [B, dim] = C · n(c1 x + c2 denoise(x, t)). Run once
 * per timestep, its result fed back as `x`, it gives ddim's output for any M and S.
 */
export function ddimStepNet(opts: DdimStepGraphOptions) {
  return (g: Graph) => {
    const x = g.input('x', g.float, ['B', opts.dim]);
    const t = g.input('t', g.float, [1]);
    const x0 = opts.denoise(x, perRow(t, x));
    const next = o.add(o.mul(x, g.input('c1', g.float, [])), o.mul(x0, g.input('c2', g.float, [])));
    return { next: toRadius(next, opts.scale) };
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
