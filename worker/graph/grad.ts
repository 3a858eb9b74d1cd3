/**
 * Reverse-mode differentiation of a Graph: each differentiable ONNX op has a rule that emits its
 * vector-Jacobian product as more ONNX nodes in the same graph. Checked against finite
 * differences in test/worker/graph/grad.test.ts (one case per rule).
 */
import { F, Graph, Node, T } from './graph';
import * as o from './ops';

export interface RuleCtx {
  node: Node;
  ins: T[];
  outs: T[];
  /** Upstream gradient per output (null where no gradient flows). */
  gy: (T | null)[];
  /** Which inputs need a gradient. */
  need: boolean[];
}
export type Rule = (c: RuleCtx) => (T | null)[];

/** Sums a broadcast gradient back down to the shape of `x`. */
function sumTo(gr: T, x: T): T {
  const lead = gr.rank - x.rank;
  const axes: number[] = [];
  for (let i = 0; i < gr.rank; i++) {
    if (i < lead || (x.shape[i - lead] === 1 && gr.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return gr;
  const r = o.reduceSum(gr, axes, true);
  if (lead === 0) return r; // keepdims already gives x's shape
  return x.shape.every((d) => typeof d === 'number') ? o.reshape(r, x.shape as number[]) : o.reshapeLike(r, x);
}

const g0 = (c: RuleCtx) => c.gy[0]!;
const only = (c: RuleCtx, k: number, f: () => T): T | null => (c.need[k] ? f() : null);

/** Count of elements reduced over `axes` of x, as a scalar of x's type (static when it can be). */
function countOf(x: T, axes: number[]): T {
  const dims = axes.map((a) => x.shape[a]);
  if (dims.every((d) => typeof d === 'number')) return x.g.scalar(dims.reduce<number>((p, d) => p * (d as number), 1));
  const picked = o.gather(o.shapeOf(x), x.g.ints(axes));
  const n = x.g.node('ReduceProd', [picked], [{ dtype: 'int64', shape: [] }], { keepdims: 0 })[0];
  return o.cast(n, x.dtype);
}

function reducedAxes(c: RuleCtx): number[] {
  const axesName = c.node.inputs[1]!.name;
  const data = c.ins[0].g.constants.get(axesName);
  if (!data) throw new Error('grad: reductions need constant axes');
  return Array.from(data.data as BigInt64Array, Number);
}

/** Gradient of a reduction: broadcast gy back over the reduced axes of x. */
function unreduce(c: RuleCtx): T {
  const x = c.ins[0];
  const gy = c.node.attrs.keepdims === 0 ? o.unsqueeze(g0(c), reducedAxes(c)) : g0(c);
  return o.expand(gy, o.shapeOf(x), x.shape);
}

function layerNormGrad(c: RuleCtx): (T | null)[] {
  const [x, scale] = c.ins;
  const gy = g0(c);
  const last = x.rank - 1;
  let mean: T;
  let invStd: T;
  if (c.outs.length === 3) [, mean, invStd] = c.outs;
  else {
    const eps = (c.node.attrs.epsilon as F).v;
    mean = o.reduceMean(x, [last], true);
    const d = o.sub(x, mean);
    invStd = o.div(x.g.scalar(1), o.sqrt(o.add(o.reduceMean(o.mul(d, d), [last], true), eps)));
  }
  const xhat = o.mul(o.sub(x, mean), invStd);
  const lead = x.shape.slice(0, -1).map((_, i) => i);
  const dx = only(c, 0, () => {
    const gs = o.mul(gy, scale);
    const a = o.reduceMean(gs, [last], true);
    const b = o.reduceMean(o.mul(gs, xhat), [last], true);
    return o.mul(o.sub(o.sub(gs, a), o.mul(xhat, b)), invStd);
  });
  const dScale = only(c, 1, () => o.reduceSum(o.mul(gy, xhat), lead));
  const dBias = only(c, 2, () => o.reduceSum(gy, lead));
  return [dx, dScale, dBias];
}

function gemmGrad(c: RuleCtx): (T | null)[] {
  const [a, b, cc] = c.ins;
  const gy = g0(c);
  const ta = c.node.attrs.transA === 1;
  const tb = c.node.attrs.transB === 1;
  const alpha = c.node.attrs.alpha ? (c.node.attrs.alpha as F).v : 1;
  const beta = c.node.attrs.beta ? (c.node.attrs.beta as F).v : 1;
  const al = alpha === 1 ? {} : { alpha };
  // With A' = op(A), B' = op(B): dA' = dY B'^T and dB' = A'^T dY, transposed back where op was one.
  const da = only(c, 0, () => (ta ? o.gemm(b, gy, null, { transA: tb, transB: true, ...al }) : o.gemm(gy, b, null, { transB: !tb, ...al })));
  const db = only(c, 1, () => (tb ? o.gemm(gy, a, null, { transA: true, transB: ta, ...al }) : o.gemm(a, gy, null, { transA: !ta, ...al })));
  const dc = cc ? only(c, 2, () => sumTo(beta === 1 ? gy : o.mul(gy, beta), cc)) : null;
  return [da, db, dc];
}

export const RULES: Record<string, Rule> = {
  Identity: (c) => [g0(c)],
  Add: (c) => [only(c, 0, () => sumTo(g0(c), c.ins[0])), only(c, 1, () => sumTo(g0(c), c.ins[1]))],
  Sub: (c) => [only(c, 0, () => sumTo(g0(c), c.ins[0])), only(c, 1, () => sumTo(o.neg(g0(c)), c.ins[1]))],
  Mul: (c) => [only(c, 0, () => sumTo(o.mul(g0(c), c.ins[1]), c.ins[0])), only(c, 1, () => sumTo(o.mul(g0(c), c.ins[0]), c.ins[1]))],
  Div: (c) => [only(c, 0, () => sumTo(o.div(g0(c), c.ins[1]), c.ins[0])), only(c, 1, () => sumTo(o.neg(o.div(o.mul(g0(c), c.outs[0]), c.ins[1])), c.ins[1]))],
  Sum: (c) => c.ins.map((x, k) => only(c, k, () => sumTo(g0(c), x))),
  Neg: (c) => [o.neg(g0(c))],
  Exp: (c) => [o.mul(g0(c), c.outs[0])],
  Log: (c) => [o.div(g0(c), c.ins[0])],
  Sqrt: (c) => [o.div(o.mul(g0(c), 0.5), c.outs[0])],
  Pow: (c) => {
    if (c.need[1]) throw new Error('grad: Pow is differentiable in its base only');
    const p = c.ins[1];
    return [o.mul(o.mul(g0(c), p), o.pow(c.ins[0], o.sub(p, 1))), null];
  },
  Tanh: (c) => [o.mul(g0(c), o.sub(c.ins[0].g.scalar(1), o.mul(c.outs[0], c.outs[0])))],
  Sigmoid: (c) => [o.mul(g0(c), o.mul(c.outs[0], o.sub(c.ins[0].g.scalar(1), c.outs[0])))],
  // d erf(x) = 2/sqrt(pi) exp(-x^2)
  Erf: (c) => [o.mul(g0(c), o.mul(o.exp(o.neg(o.mul(c.ins[0], c.ins[0]))), 2 / Math.sqrt(Math.PI)))],
  Sin: (c) => [o.mul(g0(c), o.cos(c.ins[0]))],
  Cos: (c) => [o.neg(o.mul(g0(c), o.sin(c.ins[0])))],
  Relu: (c) => [o.where(o.greater(c.ins[0], c.ins[0].g.scalar(0)), g0(c), c.ins[0].g.scalar(0))],
  MatMul: (c) => [only(c, 0, () => sumTo(o.matmul(g0(c), o.transposeLast(c.ins[1])), c.ins[0])), only(c, 1, () => sumTo(o.matmul(o.transposeLast(c.ins[0]), g0(c)), c.ins[1]))],
  Gemm: gemmGrad,
  // dx = y * (g - sum(g * y))
  Softmax: (c) => {
    const y = c.outs[0];
    const axis = c.node.attrs.axis as number;
    return [o.mul(y, o.sub(g0(c), o.reduceSum(o.mul(g0(c), y), [axis], true)))];
  },
  // dx = g - softmax(x) * sum(g)
  LogSoftmax: (c) => {
    const axis = c.node.attrs.axis as number;
    return [o.sub(g0(c), o.mul(o.exp(c.outs[0]), o.reduceSum(g0(c), [axis], true)))];
  },
  ReduceSum: (c) => [unreduce(c), null],
  ReduceMean: (c) => [o.div(unreduce(c), countOf(c.ins[0], reducedAxes(c))), null],
  Reshape: (c) => [o.reshapeLike(g0(c), c.ins[0]), null],
  Unsqueeze: (c) => [o.reshapeLike(g0(c), c.ins[0]), null],
  Squeeze: (c) => [o.reshapeLike(g0(c), c.ins[0]), null],
  Transpose: (c) => {
    const perm = c.node.attrs.perm as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [o.transpose(g0(c), inv)];
  },
  Expand: (c) => [sumTo(g0(c), c.ins[0]), null],
  Concat: (c) => {
    const axis = c.node.attrs.axis as number;
    let at = 0;
    return c.ins.map((x, k) => {
      const start = at;
      at += x.shape[axis] as number;
      return only(c, k, () => o.slice(g0(c), axis, start, start + (x.shape[axis] as number)));
    });
  },
  Split: (c) => {
    const parts = c.gy.map((gy, k) => gy ?? o.zerosLike(c.outs[k]));
    return [o.concat(parts, c.node.attrs.axis as number), null];
  },
  Slice: (c) => {
    const x = c.ins[0];
    const consts = x.g.constants;
    const [start, , axis] = [1, 2, 3].map((k) => Number((consts.get(c.node.inputs[k]!.name)!.data as BigInt64Array)[0]));
    const size = x.shape[axis];
    if (typeof size !== 'number') throw new Error('grad: Slice needs a static size on the sliced axis');
    const pads = new Array<number>(2 * x.rank).fill(0);
    pads[axis] = start;
    pads[axis + x.rank] = size - (c.outs[0].shape[axis] as number) - start;
    return [o.pad(g0(c), pads), null, null, null];
  },
  Pad: (c) => {
    const x = c.ins[0];
    if (c.node.attrs.mode !== 'constant') throw new Error('grad: Pad is differentiable in constant mode only');
    const pads = Array.from(x.g.constants.get(c.node.inputs[1]!.name)!.data as BigInt64Array, Number);
    if (pads.some((p) => p < 0)) throw new Error('grad: Pad with negative pads (cropping) has no rule');
    let gx = g0(c);
    for (let a = 0; a < x.rank; a++) if (pads[a] || pads[a + x.rank]) gx = o.slice(gx, a, pads[a], pads[a] + (x.shape[a] as number));
    return [gx, null];
  },
  Where: (c) => {
    const [cond, a, b] = c.ins;
    const zero = a.g.scalar(0);
    return [null, only(c, 1, () => sumTo(o.where(cond, g0(c), zero), a)), only(c, 2, () => sumTo(o.where(cond, zero, g0(c)), b))];
  },
  Gather: (c) => {
    const [data, idx] = c.ins;
    if (c.node.attrs.axis !== 0) throw new Error('grad: Gather is differentiable along axis 0 only');
    return [o.scatterNDAdd(o.zerosLike(data), o.unsqueeze(idx, [-1]), g0(c)), null];
  },
  GatherElements: (c) => {
    const [data, idx] = c.ins;
    return [o.scatterElementsAdd(o.zerosLike(data), idx, g0(c), c.node.attrs.axis as number), null];
  },
  LayerNormalization: layerNormGrad,
};

/** Ops whose outputs carry no gradient (shapes, comparisons, integer work). */
const CONSTANT_OPS = new Set(['Shape', 'Equal', 'Greater', 'Not', 'Cast', 'ArgMax', 'Range', 'ConstantOfShape', 'ReduceProd']);

/**
 * Appends to `g` the gradient of scalar `loss` with respect to each tensor of `wrt`
 * (zeros where `loss` does not depend on it).
 */
export function gradients(g: Graph, loss: T, wrt: T[], rules: Record<string, Rule> = RULES): T[] {
  const nodes = [...g.nodes];
  const needs = new Set(wrt.map((t) => t.name));
  for (const n of nodes) {
    if (CONSTANT_OPS.has(n.op)) continue;
    if (n.inputs.some((i) => i && needs.has(i.name))) for (const out of n.outputs) needs.add(out.name);
  }
  const acc = new Map<string, T[]>([[loss.name, [g.scalar(1)]]]);
  const total = (t: T): T | null => {
    const parts = acc.get(t.name);
    return parts ? o.sum(parts) : null;
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    const gy = n.outputs.map(total);
    if (gy.every((x) => x === null) || !n.outputs.some((x) => needs.has(x.name))) continue;
    const rule = rules[n.op];
    if (!rule) throw new Error(`grad: no gradient rule for ${n.op}`);
    const need = n.inputs.map((i) => !!i && needs.has(i.name));
    const ins = n.inputs.map((i) => i ?? null) as T[];
    const gx = rule({ node: n, ins, outs: n.outputs, gy, need });
    n.inputs.forEach((i, j) => {
      const d = gx[j];
      if (!i || !need[j] || !d) return;
      const list = acc.get(i.name) ?? [];
      list.push(d);
      acc.set(i.name, list);
    });
  }
  return wrt.map((t) => total(t) ?? o.zerosLike(t));
}
