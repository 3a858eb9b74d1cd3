/**
 * The denoiser of Diffusion Bridge: predicts x0 from a noisy embedding x_t [B, dim] and its
 * timestep t [B]. A residual MLP whose blocks are FiLM-conditioned on a sinusoidal embedding of t.
 */
import { toRadius } from './bridge';
import { Graph, T } from './graph';
import { mse } from './losses';
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
  /**
   * `mlp` (default): residual MLP blocks with FiLM. `transformer`: the vector cut into `chunks`
   * tokens plus a timestep token, through non-causal transformer blocks of `heads` heads.
   */
  kind?: 'mlp' | 'transformer';
  chunks?: number;
  heads?: number;
}

export function denoiser(x: T, t: T, c: DenoiserConfig): T {
  const temb = L.linear(L.silu(L.linear(L.timestepEmbedding(t, c.timeDim), 'denoiser.time.fc', c.width)), 'denoiser.time.proj', c.width);
  return c.kind === 'transformer' ? chunkTransformer(x, temb, c) : residualFilm(x, temb, c);
}

function chunkTransformer(x: T, temb: T, c: DenoiserConfig): T {
  const n = c.chunks ?? 16;
  if (c.dim % n !== 0) throw new Error(`denoiser: dim ${c.dim} is not divisible into ${n} chunks`);
  const size = c.dim / n;
  const tokens = L.linear(o.reshape(x, [-1, n, size]), 'denoiser.in', c.width);
  const pos = x.g.param('denoiser.pos.weight', [n + 1, c.width], { kind: 'normal', std: 0.02 }, false);
  let h = o.add(o.concat([o.unsqueeze(temb, [1]), tokens], 1), pos);
  for (let i = 0; i < c.blocks; i++) h = L.transformerBlock(h, `denoiser.block${i}`, { heads: c.heads ?? 4, causal: false, mlpRatio: c.hidden / c.width });
  const out = L.linear(L.layerNorm(o.slice(h, 1, 1, n + 1), 'denoiser.ln'), 'denoiser.out', size);
  return o.reshape(out, [-1, c.dim]);
}

function residualFilm(x: T, temb: T, c: DenoiserConfig): T {
  let h = L.linear(x, 'denoiser.in', c.width);
  for (let i = 0; i < c.blocks; i++) {
    const name = `denoiser.block${i}`;
    const cond = L.film(L.layerNorm(h, `${name}.ln`), temb, `${name}.film`);
    h = o.add(h, L.mlp(cond, `${name}.mlp`, c.hidden));
  }
  return L.linear(L.layerNorm(h, 'denoiser.ln'), 'denoiser.out', c.dim);
}

/**
 * Denoiser training on z0 [B, dim] (eq. 6 text embeddings): x_t = √ā z0 + √(1-ā) ε with the
 * coefficients `sa`, `sb` [B] and noise fed per row, re-projected to radius C as at sampling, and
 * the pred-x0 error weighted per row by `weight` [B] (the SNR weighting).
 */
export function denoiserTrain(c: DenoiserConfig, scale: number) {
  return (g: Graph) => {
    const z0 = g.input('z0', g.float, ['B', c.dim]);
    const noise = g.input('noise', g.float, ['B', c.dim]);
    const t = g.input('t', g.float, ['B']);
    const col = (name: string) => o.unsqueeze(g.input(name, g.float, ['B']), [-1]);
    const xt = o.add(o.mul(z0, col('sa')), o.mul(noise, col('sb')));
    const pred = denoiser(toRadius(xt, scale), t, c);
    return { loss: mse(pred, z0, g.input('weight', g.float, ['B'])) };
  };
}
