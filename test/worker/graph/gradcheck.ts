/**
 * Finite-difference check of the gradients the graph module emits: the analytic gradient of
 * L = sum(out * R) (R random) from the ONNX graph against central differences of L, both run by
 * onnxruntime, in float64 unless a case needs float32.
 */
import * as ort from 'onnxruntime-node';
import { FloatType, Graph, T } from '../../../worker/graph/graph';
import { gradients, Rule, RULES } from '../../../worker/graph/grad';
import { toOnnx } from '../../../worker/graph/onnx';
import * as o from '../../../worker/graph/ops';
import { Rng } from '../../../worker/train/rng';

export interface Helpers {
  /** A differentiable float input with random values in [lo, hi] (dim 0 named 'B' when `batch`). */
  x(name: string, dims: number[], opts?: { lo?: number; hi?: number; batch?: boolean }): T;
  /** A non-differentiable input with the given values. */
  fixed(name: string, dims: number[], values: number[], dtype?: 'int64' | 'float', batch?: boolean): T;
}

export interface Case {
  name: string;
  float?: FloatType;
  /** Inputs the built network declares itself: int ones take `values`, float ones random values. */
  extra?: Record<string, { dims: number[]; values?: number[] }>;
  build(g: Graph, h: Helpers): T;
}

export interface CheckResult {
  worst: number;
  /** Op types of the forward graph, i.e. the rules this case exercises. */
  ops: string[];
}

type Feed = { t: T; data: Float64Array | Float32Array | BigInt64Array; dims: number[]; diff: boolean };

function construct(c: Case): { g: Graph; out: T; feeds: Feed[] } {
  const float = c.float ?? 'float64';
  const g = new Graph(float);
  const feeds: Feed[] = [];
  const Arr = float === 'float64' ? Float64Array : Float32Array;
  const fill = (n: number, f: () => number) => {
    const a = new Arr(n);
    for (let i = 0; i < n; i++) a[i] = f();
    return a;
  };
  const rngFor = (name: string) => new Rng(99, ...Array.from(Buffer.from(name)));
  const h: Helpers = {
    x(name, dims, opts = {}) {
      const t = g.input(name, float, opts.batch ? ['B', ...dims.slice(1)] : dims);
      const rng = rngFor(name);
      const lo = opts.lo ?? -1;
      const hi = opts.hi ?? 1;
      feeds.push({
        t,
        dims,
        diff: true,
        data: fill(
          dims.reduce((a, b) => a * b, 1),
          () => lo + (hi - lo) * rng.uniform(),
        ),
      });
      return t;
    },
    fixed(name, dims, values, dtype = 'float', batch = false) {
      const t = g.input(name, dtype === 'int64' ? 'int64' : float, batch ? ['B', ...dims.slice(1)] : dims);
      const data = dtype === 'int64' ? BigInt64Array.from(values.map((v) => BigInt(v))) : Arr.from(values);
      feeds.push({ t, dims, diff: false, data });
      return t;
    },
  };
  const out = c.build(g, h);
  for (const t of g.inputs) {
    const e = c.extra?.[t.name];
    if (!e) continue;
    if (t.dtype === 'int64') feeds.push({ t, dims: e.dims, diff: false, data: BigInt64Array.from(e.values!.map((v) => BigInt(v))) });
    else {
      const rng = rngFor(t.name);
      feeds.push({
        t,
        dims: e.dims,
        diff: true,
        data: fill(
          e.dims.reduce((a, b) => a * b, 1),
          () => 2 * rng.uniform() - 1,
        ),
      });
    }
  }
  // Parameters that layers declared get random values too.
  for (const p of g.params) {
    const rng = rngFor(p.spec.name);
    const size = p.spec.shape.reduce((a, b) => a * b, 1);
    feeds.push({ t: p.t, dims: p.spec.shape, diff: true, data: fill(size, () => 2 * rng.uniform() - 1) });
  }
  return { g, out, feeds };
}

const toTensor = (f: Feed, data = f.data) => new ort.Tensor(f.t.dtype as 'float32', data as Float32Array, f.dims);

export async function gradCheck(c: Case, rules: Record<string, Rule> = RULES): Promise<CheckResult> {
  const float = c.float ?? 'float64';
  // The output's runtime shape first, to size R.
  const probe = construct(c);
  probe.g.output(probe.out, 'out');
  const opts = { graphOptimizationLevel: 'disabled' as const };
  const fwd = await ort.InferenceSession.create(toOnnx(probe.g), opts);
  const feedsOf = (fs: Feed[], override?: Map<Feed, Float64Array | Float32Array>) => Object.fromEntries(fs.map((f) => [f.t.name, toTensor(f, override?.get(f) ?? f.data)]));
  const outDims = (await fwd.run(feedsOf(probe.feeds))).out.dims as number[];
  await fwd.release();

  const { g, out, feeds } = construct(c);
  const ops = [...new Set(g.nodes.map((n) => n.op))];
  const r = g.input('__r', float, out.shape);
  const rRng = new Rng(5);
  const rValues = Array.from({ length: outDims.reduce((a, b) => a * b, 1) }, () => 2 * rRng.uniform() - 1);
  const rData = float === 'float64' ? Float64Array.from(rValues) : Float32Array.from(rValues);
  const rFeed: Feed = { t: r, dims: outDims, diff: false, data: rData };
  const loss = o.reduceSum(
    o.mul(out, r),
    out.shape.map((_, i) => i),
  );
  g.output(loss, 'loss');
  const diff = feeds.filter((f) => f.diff);
  const grads = gradients(
    g,
    loss,
    diff.map((f) => f.t),
    rules,
  );
  grads.forEach((d, k) => g.output(d, `grad_${k}`));
  const session = await ort.InferenceSession.create(toOnnx(g), opts);
  const all = [...feeds, rFeed];
  const base = await session.run(feedsOf(all));

  const h = float === 'float64' ? 1e-5 : 3e-3;
  const floor = float === 'float64' ? 1e-4 : 1e-2;
  let worst = 0;
  for (let k = 0; k < diff.length; k++) {
    const f = diff[k];
    const analytic = base[`grad_${k}`].data as Float64Array;
    const n = f.data.length;
    const pick = new Rng(17, k).permutation(n).subarray(0, Math.min(n, 16));
    for (const i of pick) {
      const at = async (delta: number) => {
        const data = (f.data as Float64Array).slice();
        data[i] += delta;
        const res = await session.run(feedsOf(all, new Map([[f, data]])));
        return Number((res.loss.data as Float64Array)[0]);
      };
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      const a = Number(analytic[i]);
      const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
      worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
    }
  }
  await session.release();
  return { worst, ops };
}
