/**
 * The layers every network is made of. Each declares its parameters under `name` and returns
 * the output tensor; nothing here knows whether it is building an inference or a train graph.
 */
import { Dim, T } from './graph';
import * as o from './ops';

/** x [..., in] -> [..., out]; flattened to 2-D so that forward and gradients are plain Gemms. */
export function linear(x: T, name: string, out: number, bias = true, std = 0.02): T {
  const inDim = x.shape[x.rank - 1] as number;
  const w = x.g.param(`${name}.weight`, [inDim, out], { kind: 'normal', std });
  const b = bias ? x.g.param(`${name}.bias`, [out], { kind: 'const', value: 0 }) : null;
  if (x.rank === 2) return o.gemm(x, w, b);
  const flat = o.gemm(o.reshape(x, [-1, inDim]), w, b);
  const lead = x.shape.slice(1, -1);
  if (!lead.every((d): d is number => typeof d === 'number')) throw new Error(`linear ${name}: inner dims must be static`);
  return o.reshape(flat, [-1, ...lead, out]);
}

/** Rows of a [vocab, dim] table picked by int64 ids. */
export function embedding(ids: T, name: string, vocab: number, dim: number, std = 0.02): T {
  return o.gather(ids.g.param(`${name}.weight`, [vocab, dim], { kind: 'normal', std }, false), ids);
}

export function layerNorm(x: T, name: string, eps = 1e-5): T {
  const d = x.shape[x.rank - 1] as number;
  const scale = x.g.param(`${name}.weight`, [d], { kind: 'const', value: 1 });
  const bias = x.g.param(`${name}.bias`, [d], { kind: 'const', value: 0 });
  return o.layerNorm(x, scale, bias, eps);
}

/** GELU; the tanh form (GPT-2's) by default, which also has float64 kernels for gradient checks. */
export function gelu(x: T, form: 'tanh' | 'erf' = 'tanh'): T {
  const half = o.mul(x, 0.5);
  if (form === 'erf') return o.mul(half, o.add(o.erf(o.mul(x, Math.SQRT1_2)), 1));
  // x^3 as products: Pow's kernel (and its gradient) is several times slower than Mul.
  const inner = o.mul(o.add(x, o.mul(o.mul(o.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return o.mul(half, o.add(o.tanh(inner), 1));
}

/**
 * A 3×3 convolution with padding 1 and bias, then GELU, of channels-last x [B, H, W, C]: one
 * matmul over the nine shifted views of the padded input (im2col from Pad and Slice, whose
 * gradient rules exist, where ONNX's Conv has none here). Stride 2 reads each view from the
 * padded input split into even and odd rows and columns, so every slice keeps step 1.
 */
export function conv3x3(x: T, name: string, channels: number, stride: 1 | 2): T {
  const [, h, w, c] = x.shape as number[];
  if (stride === 2 && (h % 2 !== 0 || w % 2 !== 0)) throw new Error(`conv ${name}: stride 2 needs an even height and width, not ${h} x ${w}`);
  const padded = o.pad(x, [0, 1, 1, 0, 0, 1, 1, 0]);
  const [ho, wo] = [h / stride, w / stride];
  // Stride 2: padded row dy + 2i is row i + ⌊dy/2⌋ of the rows of parity dy mod 2 (columns alike).
  const src = stride === 1 ? padded : o.reshape(padded, [-1, (h + 2) / 2, 2, (w + 2) / 2, 2, c]);
  const pick = (t: T, axis: number, d: number, size: number): T => (stride === 1 ? o.slice(t, axis, d, d + size) : o.slice(o.slice(t, axis, d >> 1, (d >> 1) + size), axis + 1, d & 1, (d & 1) + 1));
  const views = [0, 1, 2].flatMap((dy) => {
    const rows = pick(src, 1, dy, ho);
    return [0, 1, 2].map((dx) => (stride === 1 ? pick(rows, 2, dx, wo) : o.reshape(pick(rows, 3, dx, wo), [-1, ho, wo, c])));
  });
  // Unit-variance pre-activations, as the patch stem's.
  return gelu(linear(o.concat(views, 3), name, channels, true, (9 * c) ** -0.5));
}

export const silu = (x: T): T => o.mul(x, o.sigmoid(x));

export interface AttentionOpts {
  heads: number;
  causal: boolean;
  /** [B, T] of 1 (token) / 0 (padding): padded keys get no attention. */
  keyMask?: T;
}

/** A layer's key/value cache: keys transposed [B, H, dh, L] (ready for q·kᵀ), values [B, H, L, dh]. */
export interface KV {
  k: T;
  v: T;
}

/**
 * Multi-head self-attention over x [B, T, D] with one fused q/k/v projection. With `past`, x is
 * the next position (T = 1) and attends to the cached keys and values plus its own; `kv` is the
 * cache grown by x either way.
 */
function attentionKV(x: T, name: string, opts: AttentionOpts, past?: KV): { y: T; kv: KV } {
  const [, len, width] = x.shape as [Dim, number, number];
  const h = opts.heads;
  if (width % h !== 0) throw new Error(`attention ${name}: width ${width} is not divisible by ${h} heads`);
  if (past && (len !== 1 || opts.keyMask)) throw new Error(`attention ${name}: a cached step takes one position and no padding mask`);
  const dh = width / h;
  const [q, k, v] = o.split(linear(x, `${name}.qkv`, 3 * width), [width, width, width], -1);
  const heads = (t: T, perm: number[]) => o.transpose(o.reshape(t, [-1, len, h, dh]), perm);
  let kt = heads(k, [0, 2, 3, 1]);
  let vh = heads(v, [0, 2, 1, 3]);
  if (past) {
    kt = o.concat([past.k, kt], 3);
    vh = o.concat([past.v, vh], 2);
  }
  let scores = o.mul(o.matmul(heads(q, [0, 2, 1, 3]), kt), 1 / Math.sqrt(dh));
  if (opts.causal && !past) {
    const mask = new Array<number>(len * len);
    for (let i = 0; i < len; i++) for (let j = 0; j < len; j++) mask[i * len + j] = j > i ? -1e9 : 0;
    scores = o.add(scores, x.g.constant(mask, [len, len]));
  }
  if (opts.keyMask) {
    const m = o.reshape(o.cast(opts.keyMask, x.dtype), [-1, 1, 1, len]);
    scores = o.add(scores, o.mul(o.sub(m, 1), 1e9));
  }
  const ctx = o.matmul(o.softmax(scores), vh);
  const y = linear(o.reshape(o.transpose(ctx, [0, 2, 1, 3]), [-1, len, width]), `${name}.out`, width);
  return { y, kv: { k: kt, v: vh } };
}

export const attention = (x: T, name: string, opts: AttentionOpts): T => attentionKV(x, name, opts).y;

/** Position-wise MLP: Linear -> GELU -> Linear. */
export function mlp(x: T, name: string, hidden: number): T {
  const width = x.shape[x.rank - 1] as number;
  return linear(gelu(linear(x, `${name}.fc`, hidden)), `${name}.proj`, width);
}

/** Pre-norm residual MLP block: x + MLP(LN(x)). */
export const residualMlp = (x: T, name: string, hidden: number): T => o.add(x, mlp(layerNorm(x, `${name}.ln`), `${name}.mlp`, hidden));

export interface BlockOpts extends AttentionOpts {
  mlpRatio: number;
}

/** Pre-norm transformer block: attention then MLP, each with a residual (see attentionKV for `past`). */
export function transformerBlockKV(x: T, name: string, opts: BlockOpts, past?: KV): { y: T; kv: KV } {
  const width = x.shape[2] as number;
  const att = attentionKV(layerNorm(x, `${name}.ln1`), `${name}.attn`, opts, past);
  const a = o.add(x, att.y);
  return { y: o.add(a, mlp(layerNorm(a, `${name}.ln2`), `${name}.mlp`, width * opts.mlpRatio)), kv: att.kv };
}

export const transformerBlock = (x: T, name: string, opts: BlockOpts): T => transformerBlockKV(x, name, opts).y;

/** Sinusoidal embedding of a float timestep t [B] -> [B, dim] (sin half, cos half). */
export function timestepEmbedding(t: T, dim: number, maxPeriod = 10000): T {
  const half = dim / 2;
  const freqs = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
  const args = o.mul(o.unsqueeze(t, [-1]), t.g.constant(freqs, [1, half]));
  return o.concat([o.sin(args), o.cos(args)], -1);
}

/** FiLM: h * (1 + scale) + shift, with scale and shift projected from `cond` (zero-initialised). */
export function film(h: T, cond: T, name: string): T {
  const width = h.shape[h.rank - 1] as number;
  const [scale, shift] = o.split(linear(silu(cond), name, 2 * width, true, 0), [width, width], -1);
  const lift = (t: T) => (h.rank === 3 ? o.unsqueeze(t, [1]) : t);
  return o.add(o.mul(h, o.add(lift(scale), 1)), lift(shift));
}

/** `count` learnable soft-prompt vectors, repeated over the batch of `like` [B, ...]: [B, count, dim]. */
export function softPrompt(like: T, name: string, count: number, dim: number): T {
  const p = like.g.param(`${name}.weight`, [1, count, dim], { kind: 'normal', std: 0.02 }, false);
  const batch = o.slice(o.shapeOf(like), 0, 0, 1);
  return o.expand(p, o.concat([batch, like.g.ints([count, dim])], 0), [like.shape[0], count, dim]);
}

/** Prefix tokens from a conditioning vector cond [B, C]: 2-layer MLP to `count` x `dim`. */
export function prefix(cond: T, name: string, count: number, dim: number, hidden: number): T {
  const h = o.tanh(linear(cond, `${name}.fc`, hidden));
  return o.reshape(linear(h, `${name}.proj`, count * dim), [-1, count, dim]);
}
