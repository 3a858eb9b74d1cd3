/** The in-graph AdamW step (clipping, decoupled weight decay, bias correction) against plain TypeScript. */
import * as ort from 'onnxruntime-node';
import { Graph } from '../../../worker/graph/graph';
import * as o from '../../../worker/graph/ops';
import { AdamWConfig, buildTrainStep, stateName } from '../../../worker/graph/train-step';

const X = [0.5, -1.5, 2, 0.25, -0.75, 1];

/** loss = sum(w * X) + 0.5 * sum(b^2): dL/dw = X, dL/db = b. */
const net = (g: Graph) => {
  const w = g.param('w', [2, 3], { kind: 'const', value: 0 });
  const b = g.param('b', [3], { kind: 'const', value: 0 });
  const x = g.input('x', 'float32', [2, 3]);
  return { loss: o.add(o.reduceSum(o.mul(w, x), [0, 1]), o.mul(o.reduceSum(o.mul(b, b), [0]), 0.5)) };
};

/** PyTorch's AdamW, written out, with clip_grad_norm_ before it. */
function reference(p: Record<string, number[]>, m: Record<string, number[]>, v: Record<string, number[]>, cfg: AdamWConfig, lr: number, t: number) {
  const grads: Record<string, number[]> = { w: X, b: p.b.slice() };
  const norm = Math.sqrt(
    Object.values(grads)
      .flat()
      .reduce((s, x) => s + x * x, 0),
  );
  const clip = Math.min(1, cfg.clipNorm / (norm + 1e-6));
  const out: Record<string, number[]> = {};
  for (const name of ['w', 'b']) {
    const decay = name === 'w' ? 1 - lr * cfg.weightDecay : 1;
    out[name] = p[name].map((x, i) => {
      const g = grads[name][i] * clip;
      m[name][i] = cfg.beta1 * m[name][i] + (1 - cfg.beta1) * g;
      v[name][i] = cfg.beta2 * v[name][i] + (1 - cfg.beta2) * g * g;
      const mh = m[name][i] / (1 - cfg.beta1 ** t);
      const vh = v[name][i] / (1 - cfg.beta2 ** t);
      return x * decay - (lr * mh) / (Math.sqrt(vh) + cfg.eps);
    });
  }
  return { out, norm };
}

test('AdamW step matches a TypeScript reference over three steps', async () => {
  const cfg: AdamWConfig = { beta1: 0.8, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 2 };
  const step = buildTrainStep(net, { adamw: cfg });
  expect(step.params.map((p) => [p.name, p.decay])).toEqual([
    ['w', true],
    ['b', false],
  ]);
  const session = await ort.InferenceSession.create(step.model);
  let p: Record<string, number[]> = { w: [0.1, -0.2, 0.3, -0.4, 0.5, -0.6], b: [1, -2, 0.5] };
  let ref = { w: p.w.slice(), b: p.b.slice() };
  const m = { w: new Array(6).fill(0), b: new Array(3).fill(0) };
  const v = { w: new Array(6).fill(0), b: new Array(3).fill(0) };
  const rm = { w: new Array(6).fill(0), b: new Array(3).fill(0) };
  const rv = { w: new Array(6).fill(0), b: new Array(3).fill(0) };
  const shape = { w: [2, 3], b: [3] } as Record<string, number[]>;
  let worst = 0;
  for (let t = 1; t <= 3; t++) {
    const lr = 0.05 * t;
    const f32 = (x: number[], dims: number[]) => new ort.Tensor('float32', Float32Array.from(x), dims);
    const feeds: Record<string, ort.Tensor> = { x: f32(X, [2, 3]), lr: f32([lr], []), step: f32([t], []) };
    for (const n of ['w', 'b']) {
      feeds[n] = f32(p[n], shape[n]);
      feeds[stateName.m(n)] = f32(m[n as 'w'], shape[n]);
      feeds[stateName.v(n)] = f32(v[n as 'w'], shape[n]);
    }
    const out = await session.run(feeds);
    const r = reference(ref, rm, rv, cfg, lr, t);
    expect(Number(out.grad_norm.data[0])).toBeCloseTo(r.norm, 5);
    expect(r.norm).toBeGreaterThan(cfg.clipNorm); // clipping is really exercised
    const next: Record<string, number[]> = {};
    for (const n of ['w', 'b']) {
      next[n] = Array.from(out[stateName.next(n)].data as Float32Array);
      m[n as 'w'] = Array.from(out[stateName.next(stateName.m(n))].data as Float32Array);
      v[n as 'w'] = Array.from(out[stateName.next(stateName.v(n))].data as Float32Array);
      next[n].forEach((x, i) => (worst = Math.max(worst, Math.abs(x - r.out[n][i]))));
      m[n as 'w'].forEach((x, i) => expect(x).toBeCloseTo(rm[n as 'w'][i], 6));
      v[n as 'w'].forEach((x, i) => expect(x).toBeCloseTo(rv[n as 'w'][i], 6));
    }
    p = next;
    ref = r.out as typeof ref;
  }
  console.log(`AdamW: worst parameter difference from the reference over 3 steps: ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(1e-6);
  await session.release();
});
