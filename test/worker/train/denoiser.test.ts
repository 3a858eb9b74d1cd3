/**
 * The denoiser learns the distribution it is trained on: noised held-out embeddings come back
 * closer to their clean selves, and samples from pure noise land near the training set.
 * The data stand in for text embeddings: clustered directions, as caption embeddings cluster by
 * content, put through eq. 6 like them.
 */
import * as ort from 'onnxruntime-node';
import { alphasCumprod, ddimTimesteps, DIFFUSION_DEFAULTS, meanOfNormalised, toDiffusionSpace } from '../../../worker/diffusion';
import { augmentNet, ddim } from '../../../worker/graph/bridge';
import { denoiser, DenoiserConfig } from '../../../worker/graph/denoiser';
import { Graph } from '../../../worker/graph/graph';
import { toOnnx } from '../../../worker/graph/onnx';
import { buildInference } from '../../../worker/graph/train-step';
import { Rng } from '../../../worker/train/rng';
import { augment } from '../../../worker/train/augment';
import { DENOISER_TRAINING, trainDenoiser } from '../../../worker/train/denoiser';
import { TrainResult } from '../../../worker/train/trainer';

const D = 16;
const cfg: DenoiserConfig = { dim: D, width: 96, blocks: 2, hidden: 192, timeDim: 32 };
const alphas = alphasCumprod(DIFFUSION_DEFAULTS);
const C = DIFFUSION_DEFAULTS.scale;

function clustered(n: number, seed: number): Float32Array {
  const centres = new Rng(1); // shared by every split
  const mu = Array.from({ length: 6 }, () => Array.from({ length: D }, () => centres.normal()));
  const rng = new Rng(seed);
  const raw = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const c = mu[rng.int(mu.length)];
    for (let j = 0; j < D; j++) raw[i * D + j] = c[j] + 0.25 * rng.normal();
  }
  return raw;
}

const cos = (a: Float32Array, b: Float32Array) => {
  let d = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
};
const rows = (x: Float32Array) => Array.from({ length: x.length / D }, (_, i) => x.subarray(i * D, (i + 1) * D));

let z: Float32Array;
let heldOut: Float32Array;
let trained: TrainResult;

beforeAll(async () => {
  const raw = clustered(2000, 2);
  const mean = meanOfNormalised(raw, D);
  const eq6 = (x: Float32Array) => Float32Array.from(rows(x).flatMap((r) => Array.from(toDiffusionSpace(r, mean, C))));
  z = eq6(raw);
  heldOut = eq6(clustered(200, 3));
  trained = await trainDenoiser(z, cfg, DIFFUSION_DEFAULTS, { ...DENOISER_TRAINING, steps: 1500, lr: 2e-3, warmup: 50, ema: 0.99 });
  console.log(`denoiser: 1500 steps, loss ${trained.history[0].loss.toFixed(3)} -> ${trained.history[1499].loss.toFixed(3)}`);
});

/** Mean cosine to the clean held-out rows: of the noisy input at t = 600, and after DDIM back to 0. */
async function denoiseAt600(weights: Map<string, Float32Array>, c: DenoiserConfig): Promise<{ before: number; after: number }> {
  const net = augmentNet({ dim: D, scale: C, alphas, step: 600, ddimSteps: 5, denoise: (x, t) => denoiser(x, t, c) });
  const session = await ort.InferenceSession.create(buildInference(net, weights));
  const rng = new Rng(9);
  const noise = Float32Array.from({ length: heldOut.length }, () => rng.normal());
  const out = (await session.run({ z0: new ort.Tensor('float32', heldOut, [200, D]), noise: new ort.Tensor('float32', noise, [200, D]) })).augmented.data as Float32Array;
  await session.release();
  const noisy = heldOut.map((v, i) => Math.sqrt(alphas[600]) * v + Math.sqrt(1 - alphas[600]) * noise[i]);
  const clean = rows(heldOut);
  const mean = (x: Float32Array) => rows(x).reduce((s, r, i) => s + cos(r, clean[i]), 0) / 200;
  return { before: mean(noisy), after: mean(out) };
}

test('held-out embeddings noised to t = 600 and denoised are closer to the clean ones than the noisy input', async () => {
  const { before, after } = await denoiseAt600(trained.ema!, cfg);
  console.log(`denoiser: mean cosine to the clean embedding, noisy t=600 ${before.toFixed(3)} -> denoised ${after.toFixed(3)} (margin ${(after - before).toFixed(3)})`);
  expect(after - before).toBeGreaterThan(0.2);
});

test('samples from pure noise land nearer the training embeddings than Gaussian vectors of the same norm', async () => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['B', D]);
  g.output(ddim(x, ddimTimesteps(1000, 20), alphas, C, (xt, t) => denoiser(xt, t, cfg)).out, 'sample');
  const bytes = toOnnx(g, { bake: trained.ema! });
  const session = await ort.InferenceSession.create(bytes);
  const rng = new Rng(10);
  const gauss = Float32Array.from({ length: 100 * D }, () => rng.normal());
  const samples = (await session.run({ x: new ort.Tensor('float32', gauss, [100, D]) })).sample.data as Float32Array;
  await session.release();
  const train = rows(z);
  const nn = (r: Float32Array) => Math.max(...train.map((t) => cos(r, t)));
  const ofSamples = rows(samples).reduce((s, r) => s + nn(r), 0) / 100;
  const ofGauss = rows(gauss).reduce((s, r) => s + nn(r), 0) / 100;
  console.log(`denoiser: mean nearest-neighbour cosine to the training set, samples ${ofSamples.toFixed(3)} vs Gaussian ${ofGauss.toFixed(3)}`);
  expect(ofSamples - ofGauss).toBeGreaterThan(0.2);
});

test('stored augmentation draws: K per caption at radius C, seeded, different from each other and near their caption', async () => {
  const few = heldOut.slice(0, 20 * D);
  const opts = { step: 400, ddimSteps: 5, draws: 3, seed: 7, batchSize: 8 };
  const a = await augment(few, trained.ema!, cfg, DIFFUSION_DEFAULTS, opts);
  const b = await augment(few, trained.ema!, cfg, DIFFUSION_DEFAULTS, opts);
  expect(a).toHaveLength(3 * 20 * D);
  expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  const draws = [0, 1, 2].map((k) => rows(a.subarray(k * 20 * D, (k + 1) * 20 * D)));
  const clean = rows(few);
  for (const r of draws[0]) expect(Math.hypot(...r)).toBeCloseTo(C, 3);
  expect(cos(draws[0][0], draws[1][0])).toBeLessThan(0.99999);
  const near = draws.flat().reduce((s, r, i) => s + cos(r, clean[i % 20]), 0) / 60;
  console.log(`augment: mean cosine of a draw (A=400) to its clean embedding ${near.toFixed(3)}`);
  expect(near).toBeGreaterThan(0.8);
});

// The architectures' comparison (quality and time per step on equal steps) is bench/denoiser-arch.ts; here the other kinds just have to learn.
test('the transformer-over-chunks denoiser learns too: held-out embeddings come back from t = 600', async () => {
  const c: DenoiserConfig = { dim: D, width: 64, blocks: 2, hidden: 128, timeDim: 32, kind: 'transformer', chunks: 4, heads: 4 };
  const r = await trainDenoiser(z, c, DIFFUSION_DEFAULTS, { ...DENOISER_TRAINING, steps: 300, lr: 2e-3, warmup: 50, ema: 0.99 });
  const { before, after } = await denoiseAt600(r.ema!, c);
  console.log(`denoiser (transformer over 4 chunks, 300 steps): held-out cosine noisy t=600 ${before.toFixed(3)} -> denoised ${after.toFixed(3)}`);
  expect(after).toBeGreaterThan(0.85);
});

test('the 1-D U-Net denoiser learns too: held-out embeddings come back from t = 600', async () => {
  const c: DenoiserConfig = { dim: D, width: 16, blocks: 2, hidden: 0, timeDim: 32, kind: 'unet' };
  const r = await trainDenoiser(z, c, DIFFUSION_DEFAULTS, { ...DENOISER_TRAINING, steps: 300, lr: 2e-3, warmup: 50, ema: 0.99 });
  const { before, after } = await denoiseAt600(r.ema!, c);
  console.log(`denoiser (1-D U-Net, 300 steps): held-out cosine noisy t=600 ${before.toFixed(3)} -> denoised ${after.toFixed(3)}`);
  expect(after).toBeGreaterThan(0.85);
});
