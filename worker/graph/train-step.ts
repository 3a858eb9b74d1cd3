/**
 * Turns a network definition into the two graphs the product runs: an inference graph with the
 * parameters baked in, and a train-step graph = forward + gradients + clipping + AdamW, which
 * takes parameters, optimizer state, a batch, `lr` and `step` and returns all of them updated.
 */
import { FloatType, Graph, ParamSpec, T, TypedData } from './graph';
import { gradients } from './grad';
import { toOnnx } from './onnx';
import * as o from './ops';

/** Builds a network's graph: declares its inputs and parameters, returns its outputs by name. */
export type NetDef = (g: Graph) => Record<string, T>;

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Global gradient-norm clip; 0 turns clipping off. */
  clipNorm: number;
}

const ADAMW_DEFAULTS: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };

/** Graph I/O names of the optimizer state and of the updated values. */
export const stateName = {
  m: (p: string) => `adam.m/${p}`,
  v: (p: string) => `adam.v/${p}`,
  next: (name: string) => `next/${name}`,
};

export interface TrainStepGraph {
  model: Uint8Array;
  params: ParamSpec[];
  /** Batch inputs the caller feeds besides parameters, state, `lr` and `step`. */
  batchInputs: { name: string; dtype: string; shape: (number | string)[] }[];
  /** Scalar outputs reported each step: `loss`, `grad_norm` and the loss's extra metrics. */
  metrics: string[];
}

/**
 * `loss` is the name of the scalar that `def` returns to minimise; the other outputs of `def`
 * are reported as metrics (scalars).
 */
export function buildTrainStep(def: NetDef, opts: { loss?: string; adamw?: Partial<AdamWConfig>; float?: FloatType } = {}): TrainStepGraph {
  const cfg = { ...ADAMW_DEFAULTS, ...opts.adamw };
  const g = new Graph(opts.float ?? 'float32');
  const outs = def(g);
  const lossName = opts.loss ?? 'loss';
  const loss = outs[lossName];
  if (!loss) throw new Error(`train step: the network returns no "${lossName}"`);
  const batchInputs = g.inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape] }));
  const params = g.params;
  const grads = gradients(
    g,
    loss,
    params.map((p) => p.t),
  );
  const lr = g.input('lr', g.float, []);
  const step = g.input('step', g.float, []);

  const sq = grads.map((d) =>
    o.reduceSum(
      o.mul(d, d),
      d.shape.map((_, i) => i),
    ),
  );
  const norm = o.sqrt(o.sum(sq));
  const clip = cfg.clipNorm > 0 ? o.min(o.div(g.scalar(cfg.clipNorm), o.add(norm, 1e-6)), 1) : g.scalar(1);
  // Clipping folds into the scalars that multiply g and g^2 in the moment updates.
  const c1 = o.mul(clip, 1 - cfg.beta1);
  const c2 = o.mul(o.mul(clip, clip), 1 - cfg.beta2);
  const bc1 = o.sub(g.scalar(1), o.pow(g.scalar(cfg.beta1), step));
  const bc2 = o.sub(g.scalar(1), o.pow(g.scalar(cfg.beta2), step));
  const stepSize = o.div(lr, bc1);
  const invBc2 = o.div(g.scalar(1), o.sqrt(bc2));
  const decay = o.sub(g.scalar(1), o.mul(lr, cfg.weightDecay));

  params.forEach(({ spec, t }, k) => {
    const gr = grads[k];
    const m = g.input(stateName.m(spec.name), g.float, spec.shape);
    const v = g.input(stateName.v(spec.name), g.float, spec.shape);
    const m2 = o.add(o.mul(m, cfg.beta1), o.mul(gr, c1));
    const v2 = o.add(o.mul(v, cfg.beta2), o.mul(o.mul(gr, gr), c2));
    const denom = o.add(o.mul(o.sqrt(v2), invBc2), cfg.eps);
    const base = spec.decay && cfg.weightDecay > 0 ? o.mul(t, decay) : t;
    const p2 = o.sub(base, o.mul(o.div(m2, denom), stepSize));
    g.output(p2, stateName.next(spec.name));
    g.output(m2, stateName.next(stateName.m(spec.name)));
    g.output(v2, stateName.next(stateName.v(spec.name)));
  });
  g.output(loss, 'loss');
  g.output(norm, 'grad_norm');
  const metrics = ['loss', 'grad_norm'];
  for (const [name, t] of Object.entries(outs)) {
    if (name === lossName) continue;
    g.output(t, name);
    metrics.push(name);
  }
  return {
    model: toOnnx(g, { docString: 'altbridge train step' }),
    params: params.map((p) => p.spec),
    batchInputs: batchInputs.filter((b) => !params.some((p) => p.spec.name === b.name)),
    metrics,
  };
}

/** The inference graph of `def` with parameter values baked in. */
export function buildInference(def: NetDef, values: Map<string, TypedData>, float: FloatType = 'float32'): Uint8Array {
  const g = new Graph(float);
  for (const [name, t] of Object.entries(def(g))) g.output(t, name);
  return toOnnx(g, { bake: values, docString: 'altbridge inference' });
}
