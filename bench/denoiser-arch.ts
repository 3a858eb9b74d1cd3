/**
 * The denoiser architectures compared on the same data and steps: the residual MLP with FiLM (the
 * default), a transformer over chunks of the embedding and a 1-D U-Net over its coordinates. All learn clustered 16-d "caption
 * embeddings" put through eq. 6; printed per architecture: parameters, training time and steps/s,
 * final loss, and the mean cosine of held-out embeddings noised to t = 600 and denoised to their
 * clean selves (the noisy input's cosine for reference). The README's "as good as a transformer
 * over chunks and 2.4x faster per step" comes from here.
 *
 *   npx tsx bench/denoiser-arch.ts [--steps 1500]
 */
import * as ort from 'onnxruntime-node';
import { alphasCumprod, DIFFUSION_DEFAULTS, meanOfNormalised, toDiffusionSpace } from '../worker/diffusion';
import { augmentNet } from '../worker/graph/bridge';
import { denoiser, DenoiserConfig } from '../worker/graph/denoiser';
import { buildInference } from '../worker/graph/train-step';
import { DENOISER_TRAINING, trainDenoiser } from '../worker/train/denoiser';
import { Rng } from '../worker/train/rng';
import { numberOption, runMain } from './args';

const D = 16;
const C = DIFFUSION_DEFAULTS.scale;
const alphas = alphasCumprod(DIFFUSION_DEFAULTS);

export const ARCHITECTURES: [string, DenoiserConfig][] = [
  ['residual MLP + FiLM', { dim: D, width: 96, blocks: 2, hidden: 192, timeDim: 32 }],
  ['transformer over 4 chunks', { dim: D, width: 64, blocks: 2, hidden: 128, timeDim: 32, kind: 'transformer', chunks: 4, heads: 4 }],
  ['1-D U-Net, 2 levels', { dim: D, width: 16, blocks: 2, hidden: 0, timeDim: 32, kind: 'unet' }],
];

/** n rows around 6 shared centres (the same centres for every seed). */
function clustered(n: number, seed: number): Float32Array {
  const centres = new Rng(1);
  const mu = Array.from({ length: 6 }, () => Array.from({ length: D }, () => centres.normal()));
  const rng = new Rng(seed);
  const raw = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const c = mu[rng.int(mu.length)];
    for (let j = 0; j < D; j++) raw[i * D + j] = c[j] + 0.25 * rng.normal();
  }
  return raw;
}

const rows = (x: Float32Array) => Array.from({ length: x.length / D }, (_, i) => x.subarray(i * D, (i + 1) * D));
function cos(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
}

/** Mean cosine to the clean rows: of the input noised to t = 600, and after DDIM (5 steps) back to 0. */
async function denoiseAt600(heldOut: Float32Array, weights: Map<string, Float32Array>, c: DenoiserConfig): Promise<{ before: number; after: number }> {
  const n = heldOut.length / D;
  const net = augmentNet({ dim: D, scale: C, alphas, step: 600, ddimSteps: 5, denoise: (x, t) => denoiser(x, t, c) });
  const session = await ort.InferenceSession.create(buildInference(net, weights));
  const rng = new Rng(9);
  const noise = Float32Array.from({ length: heldOut.length }, () => rng.normal());
  const out = (await session.run({ z0: new ort.Tensor('float32', heldOut, [n, D]), noise: new ort.Tensor('float32', noise, [n, D]) })).augmented.data as Float32Array;
  await session.release();
  const noisy = heldOut.map((v, i) => Math.sqrt(alphas[600]) * v + Math.sqrt(1 - alphas[600]) * noise[i]);
  const clean = rows(heldOut);
  const mean = (x: Float32Array) => rows(x).reduce((s, r, i) => s + cos(r, clean[i]), 0) / n;
  return { before: mean(noisy), after: mean(out) };
}

async function main(): Promise<void> {
  const steps = numberOption('steps', 1500);
  const raw = clustered(2000, 2);
  const mean = meanOfNormalised(raw, D);
  const eq6 = (x: Float32Array) => Float32Array.from(rows(x).flatMap((r) => Array.from(toDiffusionSpace(r, mean, C))));
  const z = eq6(raw);
  const heldOut = eq6(clustered(200, 3));
  console.log(`bench denoiser-arch: ${steps} steps each, batch ${DENOISER_TRAINING.batchSize}, 2000 training rows of ${D}-d, 200 held out`);
  for (const [label, cfg] of ARCHITECTURES) {
    const started = performance.now();
    const r = await trainDenoiser(z, cfg, DIFFUSION_DEFAULTS, { ...DENOISER_TRAINING, steps, lr: 2e-3, warmup: 50, ema: 0.99 });
    const seconds = (performance.now() - started) / 1000;
    const { before, after } = await denoiseAt600(heldOut, r.ema!, cfg);
    const params = [...r.ema!.values()].reduce((s, p) => s + p.length, 0);
    const loss = r.history[r.history.length - 1].loss;
    console.log(
      `  ${label.padEnd(26)} ${String(params).padStart(7)} params  ${seconds.toFixed(1).padStart(6)} s  ${(steps / seconds).toFixed(1).padStart(6)} steps/s  final loss ${loss.toFixed(3)}  held-out cosine t=600 -> 0: ${before.toFixed(3)} -> ${after.toFixed(3)}`,
    );
  }
}

if (require.main === module) runMain(main);
