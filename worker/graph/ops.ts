/**
 * Primitive ONNX ops (opset 18) with static shape inference. Layers, losses, gradient rules and
 * the optimizer are all written with these, so every node the module emits goes through here.
 */
import { Attrs, DType, Dim, F, Shape, T } from './graph';

const one = (x: T, op: string, attrs: Attrs = {}, dtype: DType = x.dtype, shape: Shape = x.shape): T => x.g.node(op, [x], [{ dtype, shape }], attrs)[0];

/** Numpy broadcasting of two shapes; a named dim meets 1 or itself. */
export function broadcast(a: Shape, b: Shape): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || x === y || typeof x === 'string' || typeof y === 'string') out.push(x);
    else throw new Error(`graph: shapes [${a}] and [${b}] do not broadcast`);
  }
  return out;
}

const binary = (op: string, a: T, b: T): T => a.g.node(op, [a, b], [{ dtype: a.dtype, shape: broadcast(a.shape, b.shape) }])[0];

const lift = (a: T, b: T | number): T => (typeof b === 'number' ? a.g.scalar(b) : b);

export const add = (a: T, b: T | number) => binary('Add', a, lift(a, b));
export const sub = (a: T, b: T | number) => binary('Sub', a, lift(a, b));
export const mul = (a: T, b: T | number) => binary('Mul', a, lift(a, b));
export const div = (a: T, b: T | number) => binary('Div', a, lift(a, b));
/** x ** p (the gradient rule supports a constant exponent only). */
export const pow = (x: T, p: T | number) => binary('Pow', x, lift(x, p));
export const neg = (x: T) => one(x, 'Neg');
export const exp = (x: T) => one(x, 'Exp');
export const log = (x: T) => one(x, 'Log');
export const sqrt = (x: T) => one(x, 'Sqrt');
export const tanh = (x: T) => one(x, 'Tanh');
export const sigmoid = (x: T) => one(x, 'Sigmoid');
export const erf = (x: T) => one(x, 'Erf');
export const sin = (x: T) => one(x, 'Sin');
export const cos = (x: T) => one(x, 'Cos');
export const relu = (x: T) => one(x, 'Relu');
export const identity = (x: T) => one(x, 'Identity');
export const min = (a: T, b: T | number) => binary('Min', a, lift(a, b));
export const max = (a: T, b: T | number) => binary('Max', a, lift(a, b));

/** Elementwise sum of several tensors of one shape (gradient accumulation). */
export const sum = (xs: T[]): T => (xs.length === 1 ? xs[0] : xs[0].g.node('Sum', xs, [{ dtype: xs[0].dtype, shape: xs.map((x) => x.shape).reduce(broadcast) }])[0]);

export function matmul(a: T, b: T): T {
  if (a.rank < 2 || b.rank < 2) throw new Error('graph: matmul needs rank >= 2 operands');
  const batch = broadcast(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return a.g.node('MatMul', [a, b], [{ dtype: a.dtype, shape: [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]] }])[0];
}

export interface GemmOpts {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

/** Y = alpha * op(A) op(B) + beta * C on 2-D operands: the linear layer and its gradients. */
export function gemm(a: T, b: T, c: T | null = null, o: GemmOpts = {}): T {
  if (a.rank !== 2 || b.rank !== 2) throw new Error('graph: gemm needs 2-D operands');
  const m = o.transA ? a.shape[1] : a.shape[0];
  const n = o.transB ? b.shape[0] : b.shape[1];
  const attrs: Attrs = { transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0 };
  if (o.alpha !== undefined) attrs.alpha = new F(o.alpha);
  if (o.beta !== undefined) attrs.beta = new F(o.beta);
  return a.g.node('Gemm', c ? [a, b, c] : [a, b], [{ dtype: a.dtype, shape: [m, n] }], attrs)[0];
}

const axisOf = (x: T, axis: number) => (axis < 0 ? x.rank + axis : axis);

export const softmax = (x: T, axis = -1) => one(x, 'Softmax', { axis: axisOf(x, axis) });
export const logSoftmax = (x: T, axis = -1) => one(x, 'LogSoftmax', { axis: axisOf(x, axis) });

function reduce(op: string, x: T, axes: number[], keepdims: boolean): T {
  const ax = axes.map((a) => axisOf(x, a));
  const shape = x.shape.flatMap((d, i) => (ax.includes(i) ? (keepdims ? [1] : []) : [d]));
  return x.g.node(op, [x, x.g.ints(ax)], [{ dtype: x.dtype, shape }], { keepdims: keepdims ? 1 : 0 })[0];
}
export const reduceSum = (x: T, axes: number[], keepdims = false) => reduce('ReduceSum', x, axes, keepdims);
export const reduceMean = (x: T, axes: number[], keepdims = false) => reduce('ReduceMean', x, axes, keepdims);
export const argMax = (x: T, axis = -1) =>
  one(
    x,
    'ArgMax',
    { axis: axisOf(x, axis), keepdims: 0 },
    'int64',
    x.shape.filter((_, i) => i !== axisOf(x, axis)),
  );

/** Reshape to static dims, at most one of which is -1 (it takes the dynamic rest). */
export function reshape(x: T, dims: number[]): T {
  const known = (s: Shape) => s.every((d) => typeof d === 'number');
  let shape: Dim[] = dims;
  const free = dims.indexOf(-1);
  if (free >= 0) {
    const rest = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const size = x.shape.reduce<number | string>((p, d) => (typeof p === 'number' && typeof d === 'number' ? p * d : `${p}*${d}`), 1);
    const dim: Dim = known(x.shape) ? (size as number) / rest : `(${size})/${rest}`;
    shape = dims.map((d, i) => (i === free ? dim : d));
  }
  return x.g.node('Reshape', [x, x.g.ints(dims)], [{ dtype: x.dtype, shape }])[0];
}

/** Reshape to the runtime shape of `like` (used by gradients to undo reshapes and broadcasts). */
export const reshapeLike = (x: T, like: T): T => x.g.node('Reshape', [x, shapeOf(like)], [{ dtype: x.dtype, shape: like.shape }])[0];

export const shapeOf = (x: T): T => one(x, 'Shape', {}, 'int64', [x.rank]);

export const transpose = (x: T, perm: number[]) =>
  one(
    x,
    'Transpose',
    { perm },
    x.dtype,
    perm.map((p) => x.shape[p]),
  );

/** Swaps the last two axes. */
export const transposeLast = (x: T) => {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
};

export const unsqueeze = (x: T, axes: number[]) => {
  const rank = x.rank + axes.length;
  const ax = axes.map((a) => (a < 0 ? rank + a : a));
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(ax.includes(i) ? 1 : x.shape[k++]);
  return x.g.node('Unsqueeze', [x, x.g.ints(ax)], [{ dtype: x.dtype, shape }])[0];
};

export const squeeze = (x: T, axes: number[]) => {
  const ax = axes.map((a) => axisOf(x, a));
  return x.g.node('Squeeze', [x, x.g.ints(ax)], [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !ax.includes(i)) }])[0];
};

/** Rows of `data` along `axis` picked by integer `indices` (embedding lookup with axis 0). */
export function gather(data: T, indices: T, axis = 0): T {
  const a = axisOf(data, axis);
  const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
  return data.g.node('Gather', [data, indices], [{ dtype: data.dtype, shape }], { axis: a })[0];
}

export const gatherElements = (data: T, indices: T, axis: number) => data.g.node('GatherElements', [data, indices], [{ dtype: data.dtype, shape: indices.shape }], { axis: axisOf(data, axis) })[0];

export function concat(xs: T[], axis: number): T {
  const a = axisOf(xs[0], axis);
  const size = xs.reduce<Dim>((s, x) => (typeof s === 'number' && typeof x.shape[a] === 'number' ? s + (x.shape[a] as number) : `${s}+${x.shape[a]}`), 0);
  const shape = xs[0].shape.map((d, i) => (i === a ? size : d));
  return xs[0].g.node('Concat', xs, [{ dtype: xs[0].dtype, shape }], { axis: a })[0];
}

/** x[start:end] along `axis` (static bounds, step 1). */
export function slice(x: T, axis: number, start: number, end: number): T {
  const a = axisOf(x, axis);
  const shape = x.shape.map((d, i) => (i === a ? end - start : d));
  return x.g.node('Slice', [x, x.g.ints([start]), x.g.ints([end]), x.g.ints([a])], [{ dtype: x.dtype, shape }])[0];
}

export function split(x: T, sizes: number[], axis: number): T[] {
  const a = axisOf(x, axis);
  const outs = sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === a ? s : d)) }));
  return x.g.node('Split', [x, x.g.ints(sizes)], outs, { axis: a });
}

/** Zero padding with static amounts `pads` = [begin_0.., end_0..] (ONNX order). */
export function pad(x: T, pads: number[]): T {
  const shape = x.shape.map((d, i) => (pads[i] === 0 && pads[i + x.rank] === 0 ? d : (d as number) + pads[i] + pads[i + x.rank]));
  return x.g.node('Pad', [x, x.g.ints(pads)], [{ dtype: x.dtype, shape }], { mode: 'constant' })[0];
}

/** Broadcasts `x` to the runtime shape held by `shape` (int64 1-D), whose static form is `dims`. */
export const expand = (x: T, shape: T, dims: Shape) => x.g.node('Expand', [x, shape], [{ dtype: x.dtype, shape: broadcast(x.shape, dims) }])[0];

export const where = (cond: T, a: T, b: T) => a.g.node('Where', [cond, a, b], [{ dtype: a.dtype, shape: broadcast(cond.shape, broadcast(a.shape, b.shape)) }])[0];

export const equal = (a: T, b: T) => a.g.node('Equal', [a, b], [{ dtype: 'bool', shape: broadcast(a.shape, b.shape) }])[0];
export const greater = (a: T, b: T) => a.g.node('Greater', [a, b], [{ dtype: 'bool', shape: broadcast(a.shape, b.shape) }])[0];
export const not = (x: T) => one(x, 'Not');
export const cast = (x: T, dtype: DType) => (x.dtype === dtype ? x : one(x, 'Cast', { to: ONNX_TYPE[dtype] }, dtype));

/** Zeros of the graph's float type with the runtime shape of `like`. */
export const zerosLike = (like: T): T => expand(like.g.scalar(0), shapeOf(like), like.shape);

/** [0, 1, .., n-1] as int64, n read at run time from a scalar int64 tensor. */
export const range = (n: T, dim: Dim) => n.g.node('Range', [n.g.constant([0], [], 'int64'), n, n.g.constant([1], [], 'int64')], [{ dtype: 'int64', shape: [dim] }])[0];

/**
 * LayerNormalization over the last axis. In float32 it also returns Mean and InvStdDev, which the
 * gradient reuses; ORT has no float64 kernel with those outputs, so float64 graphs recompute them.
 */
export function layerNorm(x: T, scale: T, bias: T, eps = 1e-5): T {
  const stat = { dtype: x.dtype, shape: [...x.shape.slice(0, -1), 1] };
  const outs = x.dtype === 'float32' ? [{ dtype: x.dtype, shape: x.shape }, stat, stat] : [{ dtype: x.dtype, shape: x.shape }];
  return x.g.node('LayerNormalization', [x, scale, bias], outs, { axis: -1, epsilon: new F(eps) })[0];
}

export function scatterNDAdd(data: T, indices: T, updates: T): T {
  return data.g.node('ScatterND', [data, indices, updates], [{ dtype: data.dtype, shape: data.shape }], { reduction: 'add' })[0];
}

export function scatterElementsAdd(data: T, indices: T, updates: T, axis: number): T {
  return data.g.node('ScatterElements', [data, indices, updates], [{ dtype: data.dtype, shape: data.shape }], {
    axis: axisOf(data, axis),
    reduction: 'add',
  })[0];
}

export const ONNX_TYPE: Record<DType, number> = { float32: 1, float64: 11, int64: 7, bool: 9 };
