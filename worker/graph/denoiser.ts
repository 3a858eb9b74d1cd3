/**
 * The denoiser of Diffusion Bridge: predicts x0 from a noisy embedding x_t [B, dim] and its
 * timestep t [B]. A residual MLP whose blocks are FiLM-conditioned on a sinusoidal embedding of t.
 */
import { T } from './graph';
import * as L from './layers';
import * as o from './ops';

export interface DenoiserConfig {
  dim: number;
  width: number;
  blocks: number;
  /** MLP hidden size inside each block. */
  hidden: number;
  /** Size of the sinusoidal timestep embedding. */
  timeDim: number;
}

export function denoiser(x: T, t: T, c: DenoiserConfig): T {
  const temb = L.linear(L.silu(L.linear(L.timestepEmbedding(t, c.timeDim), 'denoiser.time.fc', c.width)), 'denoiser.time.proj', c.width);
  let h = L.linear(x, 'denoiser.in', c.width);
  for (let i = 0; i < c.blocks; i++) {
    const name = `denoiser.block${i}`;
    const cond = L.film(L.layerNorm(h, `${name}.ln`), temb, `${name}.film`);
    h = o.add(h, L.mlp(cond, `${name}.mlp`, c.hidden));
  }
  return L.linear(L.layerNorm(h, 'denoiser.ln'), 'denoiser.out', c.dim);
}
