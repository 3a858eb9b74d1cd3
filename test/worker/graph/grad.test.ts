/**
 * Every gradient rule and every layer and loss, against central finite differences. The worst
 * relative error of each case is printed; a wrong rule must fail (see the last tests).
 */
import { F } from '../../../worker/graph/graph';
import { RULES, Rule } from '../../../worker/graph/grad';
import * as L from '../../../worker/graph/layers';
import { binaryCrossEntropy, crossEntropy, infoNCE, mse } from '../../../worker/graph/losses';
import { decoderTrain } from '../../../worker/graph/decoder';
import * as o from '../../../worker/graph/ops';
import { Case, gradCheck } from './gradcheck';

const TOL = { float64: 1e-5, float32: 2e-2 };

const cases: Case[] = [
  // Elementwise and broadcasting.
  { name: 'Add/Sub with broadcasting', build: (_, h) => o.sub(o.add(h.x('a', [3, 4]), h.x('b', [4])), h.x('c', [3, 1])) },
  { name: 'Mul/Div with broadcasting', build: (_, h) => o.div(o.mul(h.x('a', [2, 3, 4]), h.x('b', [3, 1])), h.x('c', [4], { lo: 0.5, hi: 2 })) },
  { name: 'Sum (accumulation) with broadcasting', build: (_, h) => o.sum([h.x('a', [3, 4]), h.x('b', [1, 4]), h.x('c', [3, 4])]) },
  { name: 'Neg/Exp/Identity', build: (_, h) => o.identity(o.exp(o.neg(h.x('a', [5])))) },
  { name: 'Log/Sqrt', build: (_, h) => o.add(o.log(h.x('a', [6], { lo: 0.2, hi: 3 })), o.sqrt(h.x('b', [6], { lo: 0.2, hi: 3 }))) },
  { name: 'Pow (constant exponent)', build: (_, h) => o.pow(h.x('a', [6], { lo: 0.2, hi: 2 }), 2.5) },
  { name: 'Tanh/Sigmoid', build: (_, h) => o.mul(o.tanh(h.x('a', [6], { lo: -2, hi: 2 })), o.sigmoid(h.x('b', [6], { lo: -3, hi: 3 }))) },
  { name: 'Sin/Cos', build: (_, h) => o.add(o.sin(h.x('a', [6], { lo: -3, hi: 3 })), o.cos(h.x('b', [6], { lo: -3, hi: 3 }))) },
  { name: 'Relu (away from 0)', build: (g, h) => o.relu(o.add(h.x('a', [8], { lo: 0.1, hi: 1 }), g.constant([-2, 2, -2, 2, -2, 2, -2, 2], [8]))) },
  { name: 'Erf (float32: no float64 kernel)', float: 'float32', build: (_, h) => o.erf(h.x('a', [8], { lo: -2, hi: 2 })) },
  { name: 'Where', build: (g, h) => o.where(o.greater(h.fixed('c', [2, 3], [1, -1, 1, -1, -1, 1]), g.scalar(0)), h.x('a', [2, 3]), h.x('b', [3])) },
  // Linear algebra.
  { name: 'MatMul batched with broadcast', build: (_, h) => o.matmul(h.x('a', [2, 3, 4, 5]), h.x('b', [3, 5, 2])) },
  ...[false, true].flatMap((ta) =>
    [false, true].map(
      (tb): Case => ({
        name: `Gemm transA=${ta} transB=${tb} alpha/beta`,
        build: (_, h) => o.gemm(h.x('a', ta ? [4, 3] : [3, 4]), h.x('b', tb ? [5, 4] : [4, 5]), h.x('c', [5]), { transA: ta, transB: tb, alpha: 0.7, beta: 1.3 }),
      }),
    ),
  ),
  // Normalisations and reductions.
  { name: 'Softmax', build: (_, h) => o.softmax(h.x('a', [3, 5], { lo: -2, hi: 2 })) },
  { name: 'LogSoftmax (axis 0)', build: (_, h) => o.logSoftmax(h.x('a', [4, 3], { lo: -2, hi: 2 }), 0) },
  { name: 'ReduceSum keepdims/not', build: (_, h) => o.add(o.reduceSum(h.x('a', [3, 4, 2]), [0, 2], true), o.unsqueeze(o.reduceSum(h.x('b', [4, 2]), [1]), [0, -1])) },
  { name: 'ReduceMean over a named (batch) dim', build: (_, h) => o.reduceMean(h.x('a', [3, 4], { batch: true }), [0, 1]) },
  { name: 'LayerNormalization (float64, stats recomputed)', build: (_, h) => o.layerNorm(h.x('x', [3, 6]), h.x('s', [6]), h.x('b', [6])) },
  { name: 'LayerNormalization (float32, Mean/InvStdDev outputs)', float: 'float32', build: (_, h) => o.layerNorm(h.x('x', [3, 6]), h.x('s', [6]), h.x('b', [6])) },
  // Shape ops.
  { name: 'Reshape/Transpose', build: (_, h) => o.transpose(o.reshape(h.x('a', [2, 3, 4], { batch: true }), [-1, 4, 3]), [2, 0, 1]) },
  { name: 'Unsqueeze/Squeeze', build: (_, h) => o.mul(o.squeeze(o.unsqueeze(h.x('a', [3, 2]), [1]), [1]), h.x('b', [3, 2])) },
  { name: 'Expand', build: (g, h) => o.expand(h.x('a', [1, 3]), g.ints([4, 3]), [4, 3]) },
  { name: 'Concat/Slice', build: (_, h) => o.slice(o.concat([h.x('a', [2, 3]), h.x('b', [2, 2])], 1), 1, 1, 4) },
  { name: 'Pad (constant, several axes)', build: (_, h) => o.mul(o.pad(h.x('a', [2, 3, 2]), [0, 1, 2, 0, 2, 0]), h.x('b', [2, 6, 4])) },
  {
    name: 'Split (one part unused)',
    build: (_, h) => {
      const [a, , c] = o.split(h.x('a', [2, 7]), [2, 3, 2], 1);
      return o.mul(a, c);
    },
  },
  { name: 'Gather (embedding rows, repeated ids)', build: (_, h) => o.gather(h.x('w', [5, 3]), h.fixed('ids', [2, 3], [0, 4, 2, 2, 4, 4], 'int64')) },
  { name: 'GatherElements', build: (_, h) => o.gatherElements(h.x('w', [3, 4]), h.fixed('ids', [3, 2], [0, 3, 1, 1, 2, 0], 'int64'), 1) },
  // Layers.
  { name: 'linear (3-D input) + embedding', build: (_, h) => L.linear(L.embedding(h.fixed('ids', [2, 3], [1, 0, 3, 3, 2, 1], 'int64', true), 'emb', 4, 5), 'lin', 6) },
  { name: '3x3 convolution, stride 1', build: (_, h) => L.conv3x3(h.x('x', [2, 3, 4, 2], { batch: true }), 'conv', 3, 1) },
  { name: '3x3 convolution, stride 2', build: (_, h) => L.conv3x3(h.x('x', [2, 4, 6, 2], { batch: true }), 'conv', 3, 2) },
  { name: 'layer norm layer', build: (_, h) => L.layerNorm(h.x('x', [2, 3, 8], { batch: true }), 'ln') },
  { name: 'GELU (tanh form)', build: (_, h) => L.gelu(h.x('x', [10], { lo: -3, hi: 3 })) },
  { name: 'GELU (erf form, float32)', float: 'float32', build: (_, h) => L.gelu(h.x('x', [10], { lo: -3, hi: 3 }), 'erf') },
  { name: 'SiLU', build: (_, h) => L.silu(h.x('x', [10], { lo: -3, hi: 3 })) },
  {
    name: 'attention, causal + padding mask',
    build: (_, h) => L.attention(h.x('x', [2, 4, 8], { batch: true }), 'attn', { heads: 2, causal: true, keyMask: h.fixed('mask', [2, 4], [1, 1, 1, 1, 1, 1, 0, 0], 'float', true) }),
  },
  { name: 'residual MLP block', build: (_, h) => L.residualMlp(h.x('x', [3, 6], { batch: true }), 'res', 12) },
  { name: 'transformer block', build: (_, h) => L.transformerBlock(h.x('x', [2, 3, 8], { batch: true }), 'blk', { heads: 2, causal: true, mlpRatio: 2 }) },
  {
    name: 'sinusoidal timestep embedding + FiLM',
    build: (_, h) => {
      const emb = L.timestepEmbedding(h.x('t', [3], { lo: 0, hi: 5 }), 8);
      // FiLM's projection starts at zero; perturb through a linear layer so every path has gradient.
      return L.film(h.x('h', [3, 6]), L.linear(emb, 'temb', 8), 'film');
    },
  },
  { name: 'soft prompt + prefix projector', build: (_, h) => o.concat([L.prefix(h.x('c', [2, 5], { batch: true }), 'pre', 2, 4, 6), L.softPrompt(h.x('c2', [2, 1], { batch: true }), 'sp', 3, 4)], 1) },
  // Losses (their output is the scalar loss).
  {
    name: 'cross-entropy, label smoothing 0.1, ignore index',
    build: (_, h) => crossEntropy(h.x('logits', [5, 7], { lo: -2, hi: 2, batch: true }), h.fixed('y', [5], [3, 0, 6, -100, 2], 'int64', true), { smoothing: 0.1, ignoreIndex: -100 }).loss,
  },
  { name: 'MSE, SNR-weighted', build: (_, h) => mse(h.x('p', [3, 4]), h.x('t', [3, 4]), h.fixed('w', [3], [0.5, 2, 1])) },
  {
    name: 'binary cross-entropy',
    build: (_, h) => binaryCrossEntropy(h.x('z', [3, 4], { lo: -3, hi: 3, batch: true }), h.fixed('y', [3, 4], [1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0], 'float', true)),
  },
  {
    name: 'InfoNCE with learnable temperature',
    build: (_, h) => infoNCE(h.x('img', [4, 6], { batch: true }), h.x('txt', [4, 6], { batch: true }), h.x('logit_scale', [], { lo: 0.5, hi: 1.5 })),
  },
  {
    name: 'caption decoder loss (all its parameters)',
    // The network declares its own inputs: int tokens/targets get these values, `cond` random ones.
    extra: { tokens: { dims: [2, 3], values: [1, 4, 5, 1, 6, 0] }, targets: { dims: [2, 3], values: [4, 5, 2, 6, 2, 0] }, cond: { dims: [2, 3] } },
    build: (g) => {
      const cfg = { vocab: 7, width: 8, layers: 1, heads: 2, mlpRatio: 2, maxLen: 3, condDim: 3, prefixTokens: 1, prefixHidden: 4, softPrompts: 1 };
      return decoderTrain(cfg, { smoothing: 0.1, ignoreIndex: 0 })(g).loss;
    },
  },
];

describe('gradient rules against finite differences', () => {
  const worst: [string, number][] = [];
  const covered = new Set<string>();

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await gradCheck(c);
    r.ops.forEach((op) => covered.add(op));
    worst.push([c.name, r.worst]);
    expect(r.worst).toBeLessThan(TOL[c.float ?? 'float64']);
  });

  test('every rule is exercised by some case', () => {
    const missing = Object.keys(RULES).filter((op) => !covered.has(op));
    expect(missing).toEqual([]);
  });

  afterAll(() => {
    const lines = worst.map(([n, e]) => `  ${e.toExponential(2).padStart(9)}  ${n}`);
    const max = Math.max(...worst.map(([, e]) => e));
    console.log(`gradient check, worst relative error per case:\n${lines.join('\n')}\n  overall worst: ${max.toExponential(2)}`);
  });
});

describe('a wrong rule fails the check', () => {
  // Plausible mistakes, each small enough that only a real check would notice.
  const broken: [string, string, Rule][] = [
    ['Tanh', 'Tanh/Sigmoid', (c) => [o.mul(c.gy[0]!, o.sub(c.ins[0].g.scalar(1), c.outs[0]))]],
    ['Softmax', 'Softmax', (c) => [o.mul(c.outs[0], c.gy[0]!)]],
    ['Gemm', 'Gemm transA=true transB=true alpha/beta', (c) => RULES.Gemm({ ...c, node: { ...c.node, attrs: { ...c.node.attrs, alpha: new F(1) } } })],
    [
      'LayerNormalization',
      'LayerNormalization (float64, stats recomputed)',
      (c) => {
        const [dx, ds, db] = RULES.LayerNormalization(c);
        return [dx && o.mul(dx, 1.001), ds, db];
      },
    ],
    // Overwriting instead of accumulating rows of repeated ids.
    ['Gather', 'Gather (embedding rows, repeated ids)', (c) => [c.ins[0].g.node('ScatterND', [o.zerosLike(c.ins[0]), o.unsqueeze(c.ins[1], [-1]), c.gy[0]!], [c.ins[0]])[0], null]],
  ];
  test.each(broken)('a broken %s rule is caught', async (op, caseName, rule) => {
    const c = cases.find((x) => x.name === caseName)!;
    const r = await gradCheck(c, { ...RULES, [op]: rule });
    expect(r.worst).toBeGreaterThan(10 * TOL[c.float ?? 'float64']);
  });
});
