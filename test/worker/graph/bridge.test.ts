/**
 * Bridge math: schedule, timesteps, eq. 6 and the DDIM trajectory against TypeScript references,
 * and the product's bridge (one step graph run S times) against the whole bridge unrolled into one
 * graph, as it was built per (M, S) before.
 */
import * as ort from 'onnxruntime-node';
import { Bridge } from '../../../worker/bridge';
import { loadBundle } from '../../../worker/bundle/load';
import { alphasCumprod, bridgingSchedule, ddimTimesteps, DIFFUSION_DEFAULTS, toDiffusionSpace } from '../../../worker/diffusion';
import { ddim, Denoise, toRadius } from '../../../worker/graph/bridge';
import { denoiser } from '../../../worker/graph/denoiser';
import { Graph, T } from '../../../worker/graph/graph';
import { toOnnx } from '../../../worker/graph/onnx';
import * as o from '../../../worker/graph/ops';
import { buildInference } from '../../../worker/graph/train-step';
import { Rng } from '../../../worker/train/rng';

const D = 6;
const alphas = alphasCumprod(DIFFUSION_DEFAULTS);
const C = DIFFUSION_DEFAULTS.scale;

/** The whole bridge as one graph: eq. 6, then DDIM unrolled over `times`. Input `image_embeds`, output `bridged`. */
const unrolledBridge = (dim: number, imageMean: Float32Array, scale: number, times: number[], denoise: Denoise) => (g: Graph) => {
  const e = g.input('image_embeds', g.float, ['B', dim]);
  const z = toRadius(o.sub(toRadius(e, 1), g.constant(imageMean, [dim])), scale);
  return { bridged: ddim(z, times, alphas, scale, denoise).out };
};

test('timesteps for M = 600, S = 5 are 599, 479, 359, 239, 119; M = 0 has none; bad M or S are refused', () => {
  expect(ddimTimesteps(600, 5)).toEqual([599, 479, 359, 239, 119]);
  expect(ddimTimesteps(600, 1)).toEqual([599]);
  expect(ddimTimesteps(600, 12)).toEqual([599, 549, 499, 449, 399, 349, 299, 249, 199, 149, 99, 49]);
  expect(ddimTimesteps(0, 5)).toEqual([]);
  expect(() => ddimTimesteps(600, 0)).toThrow(/DDIM steps \(M = 600\) must be a whole number from 1 to 600/);
  expect(() => ddimTimesteps(-1, 5)).toThrow(/M must be a whole number/);
});

test('the bridging schedule: S defaults to min(default, M, 50); S over M or over 50 is refused', () => {
  expect(bridgingSchedule(600, undefined, 5)).toEqual({ m: 600, steps: 5, timesteps: [599, 479, 359, 239, 119] });
  expect(bridgingSchedule(3, undefined, 5).steps).toBe(3);
  // A default saved when S could reach 1000 runs at the cap instead of failing every job.
  expect(bridgingSchedule(600, undefined, 100).steps).toBe(50);
  expect(bridgingSchedule(0, undefined, 5)).toEqual({ m: 0, steps: 0, timesteps: [] });
  expect(bridgingSchedule(1000, 50, 5).timesteps).toHaveLength(50);
  expect(() => bridgingSchedule(1000, 51, 5)).toThrow('DDIM steps must be a whole number from 1 to 50, got 51');
  expect(() => bridgingSchedule(10, 20, 5)).toThrow('DDIM steps must be a whole number from 1 to 10, got 20');
});

test('the cosine schedule falls from ~1 to ~0 and matches its closed form', () => {
  const f = (t: number) => Math.cos(((t / 1000 + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  expect(alphas[0]).toBeCloseTo(f(1) / f(0), 12);
  expect(alphas[599]).toBeCloseTo(f(600) / f(0), 9);
  for (let t = 1; t < 1000; t++) expect(alphas[t]).toBeLessThan(alphas[t - 1]);
  expect(alphas[999]).toBeLessThan(1e-4);
});

/** A denoiser with a closed form: x0 = 0.5 x + 0.001 t (elementwise). */
const closedForm = (x: T, t: T) => o.add(o.mul(x, 0.5), o.mul(o.unsqueeze(t, [-1]), 0.001));

function reference(e: Float32Array, mean: Float32Array, times: number[]): Float32Array {
  const radius = (v: Float32Array) => {
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => (C * x) / n);
  };
  let x = toDiffusionSpace(e, mean, C);
  times.forEach((t, k) => {
    x = radius(x);
    const x0 = x.map((v) => 0.5 * v + 0.001 * t);
    const a = alphas[t];
    const ap = k + 1 < times.length ? alphas[times[k + 1]] : 1;
    const eps = x.map((v, i) => (v - Math.sqrt(a) * x0[i]) / Math.sqrt(1 - a));
    x = x0.map((v, i) => Math.sqrt(ap) * v + Math.sqrt(1 - ap) * eps[i]);
  });
  return radius(x);
}

async function run(times: number[], e: Float32Array, mean: Float32Array, batch: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(buildInference(unrolledBridge(D, mean, C, times, closedForm), new Map()));
  const out = await session.run({ image_embeds: new ort.Tensor('float32', e, [batch, D]) });
  await session.release();
  return out.bridged.data as Float32Array;
}

test('the DDIM trajectory of the bridge graph equals a TypeScript reference (M = 600, S = 5 and S = 12)', async () => {
  const rng = new Rng(4);
  const e = Float32Array.from({ length: 3 * D }, () => rng.normal());
  const mean = Float32Array.from({ length: D }, () => 0.1 * rng.normal());
  for (const s of [5, 12]) {
    const times = ddimTimesteps(600, s);
    const got = await run(times, e, mean, 3);
    let worst = 0;
    for (let b = 0; b < 3; b++) {
      const want = reference(e.subarray(b * D, (b + 1) * D), mean, times);
      want.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[b * D + i]))));
    }
    console.log(`bridge M=600 S=${s}: max abs difference from the reference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  }
});

test('M = 0 returns the eq. 6 normalised input unchanged', async () => {
  const e = Float32Array.from({ length: D }, (_, i) => i - 2.5);
  const mean = new Float32Array(D).fill(0.05);
  const got = await run([], e, mean, 1);
  const want = toDiffusionSpace(e, mean, C);
  want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
});

test('the trajectory re-projects x to radius C before every denoiser call', async () => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['B', D]);
  const seen: T[] = [];
  const { trajectory } = ddim(x, ddimTimesteps(600, 3), alphas, C, (xt, t) => (seen.push(xt), closedForm(xt, t)));
  trajectory.forEach((t, k) => g.output(t, `x${k}`));
  const session = await ort.InferenceSession.create(toOnnx(g));
  const out = await session.run({
    x: new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * D }, (_, i) => i + 1),
      [2, D],
    ),
  });
  expect(seen).toHaveLength(3);
  for (let k = 0; k < 4; k++) {
    const v = out[`x${k}`].data as Float32Array;
    for (let b = 0; b < 2; b++) expect(Math.hypot(...v.subarray(b * D, (b + 1) * D))).toBeCloseTo(C, 4);
  }
  await session.release();
});

test('the denoiser applied at every DDIM step shares one set of parameters', () => {
  const cfg = { dim: D, width: 8, blocks: 2, hidden: 16, timeDim: 8 };
  const count = (times: number[]) => {
    const g = new Graph();
    unrolledBridge(D, new Float32Array(D), C, times, (x, t) => denoiser(x, t, cfg))(g);
    return g.params.length;
  };
  expect(count(ddimTimesteps(600, 1))).toBeGreaterThan(10);
  expect(count(ddimTimesteps(600, 12))).toBe(count(ddimTimesteps(600, 1)));
  const g = new Graph();
  g.param('w', [2, 2], { kind: 'const', value: 0 });
  expect(() => g.param('w', [3], { kind: 'const', value: 0 })).toThrow(/parameter w is \[2,2\], not \[3\]/);
});

test('the bridge (one step session run S times) equals the unrolled bridge graph with the shapes-mini denoiser', async () => {
  const bundle = loadBundle('shapes-mini');
  const { manifest, imageMean } = bundle;
  const dim = manifest.clip.embedDim;
  const d = manifest.diffusion;
  const bridge = new Bridge(bundle, { executionProviders: ['cpu'], threads: 1, optimization: 'all' });
  const rng = new Rng(9);
  const batch = 3;
  const e = Float32Array.from({ length: batch * dim }, () => rng.normal());
  for (const [m, s] of [
    [0, 0],
    [1, 1],
    [600, 5],
    [37, 3],
    [1000, 50],
  ]) {
    const net = unrolledBridge(dim, imageMean!, d.scale, ddimTimesteps(m, s), (x, t) => denoiser(x, t, d.denoiser));
    const reference = await ort.InferenceSession.create(buildInference(net, bundle.denoiser));
    const want = (await reference.run({ image_embeds: new ort.Tensor('float32', e, [batch, dim]) })).bridged.data as Float32Array;
    await reference.release();
    const got = await bridge.run(e, batch, m, s);
    const worst = want.reduce((w, v, i) => Math.max(w, Math.abs(v - got[i])), 0);
    console.log(`bridge M=${m} S=${s}: step loop vs unrolled graph, max abs difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  }
  await bridge.close();
});
