/**
 * The denoiser of Diffusion Bridge: predicts x0 from a noisy embedding x_t [B, dim] and its
 * timestep t [B]. A residual MLP whose blocks are FiLM-conditioned on a sinusoidal embedding of t
 * by default; a transformer over chunks and a 1-D U-Net are the alternatives the benchmarks and the
 * ShapesWorld levers compare it with.
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
   * tokens plus a timestep token, through non-causal transformer blocks of `heads` heads. `unet`:
   * a 1-D U-Net over the vector's `dim` positions (the official design's shape), `width` channels
   * at full length, doubled at each of `blocks` levels down (`hidden` unused).
   */
  kind?: 'mlp' | 'transformer' | 'unet';
  chunks?: number;
  heads?: number;
}

export function denoiser(x: T, t: T, c: DenoiserConfig): T {
  const temb = L.linear(L.silu(L.linear(L.timestepEmbedding(t, c.timeDim), 'denoiser.time.fc', c.width)), 'denoiser.time.proj', c.width);
  if (c.kind === 'unet') return unet(x, temb, c);
  return c.kind === 'transformer' ? chunkTransformer(x, temb, c) : residualFilm(x, temb, c);
}

/** Width-3 convolution along the positions of h [B, len, C], zero-padded at both ends: [B, len, out]. */
function conv3(h: T, name: string, out: number): T {
  const len = h.shape[1] as number;
  const zero = o.mul(o.slice(h, 1, 0, 1), 0);
  const before = o.concat([zero, o.slice(h, 1, 0, len - 1)], 1);
  const after = o.concat([o.slice(h, 1, 1, len), zero], 1);
  return L.linear(o.concat([before, h, after], -1), name, out);
}

/** Residual block of the U-Net: h + conv(GELU(conv(FiLM(LN(h), t)))). */
function convBlock(h: T, temb: T, name: string): T {
  const ch = h.shape[2] as number;
  const cond = L.film(L.layerNorm(h, `${name}.ln`), temb, `${name}.film`);
  return o.add(h, conv3(L.gelu(conv3(cond, `${name}.conv1`, ch)), `${name}.conv2`, ch));
}

/**
 * The 1-D U-Net: down each level a block, then neighbouring positions merged (half the length,
 * twice the channels); a middle block; up each level every position split in two and the level's
 * skip added before its block. Positions are the embedding's coordinates, as in the official code.
 */
function unet(x: T, temb: T, c: DenoiserConfig): T {
  if (c.dim % 2 ** c.blocks !== 0 || c.dim / 2 ** c.blocks < 2) throw new Error(`denoiser: dim ${c.dim} does not halve ${c.blocks} times to a length of 2 or more`);
  let len = c.dim;
  let ch = c.width;
  let h = L.linear(o.reshape(x, [-1, len, 1]), 'denoiser.in', ch);
  const skips: T[] = [];
  for (let i = 0; i < c.blocks; i++) {
    h = convBlock(h, temb, `denoiser.down${i}`);
    skips.push(h);
    h = L.linear(o.reshape(h, [-1, len / 2, 2 * ch]), `denoiser.down${i}.merge`, 2 * ch);
    len /= 2;
    ch *= 2;
  }
  h = convBlock(h, temb, 'denoiser.mid');
  for (let i = c.blocks - 1; i >= 0; i--) {
    h = o.reshape(L.linear(h, `denoiser.up${i}.split`, ch), [-1, 2 * len, ch / 2]);
    len *= 2;
    ch /= 2;
    h = convBlock(o.add(h, skips[i]), temb, `denoiser.up${i}`);
  }
  return o.reshape(L.linear(L.layerNorm(h, 'denoiser.ln'), 'denoiser.out', 1), [-1, c.dim]);
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
