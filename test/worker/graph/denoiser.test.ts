/**
 * The denoiser's kinds against finite differences (float64, every parameter), and the U-Net's
 * shape rules: its output has the input's shape, and a dim that does not halve enough is refused.
 */
import { Graph } from '../../../worker/graph/graph';
import { denoiser, DenoiserConfig } from '../../../worker/graph/denoiser';
import { gradCheck } from './gradcheck';

const D = 8;
const kinds: [string, DenoiserConfig][] = [
  ['residual MLP', { dim: D, width: 6, blocks: 2, hidden: 8, timeDim: 4 }],
  ['transformer over chunks', { dim: D, width: 8, blocks: 1, hidden: 8, timeDim: 4, kind: 'transformer', chunks: 2, heads: 2 }],
  ['1-D U-Net', { dim: D, width: 3, blocks: 2, hidden: 0, timeDim: 4, kind: 'unet' }],
];

test.each(kinds)('%s: gradients of every parameter and of x match finite differences', async (name, c) => {
  const r = await gradCheck({ name, build: (_, h) => denoiser(h.x('x', [3, D], { lo: -2, hi: 2 }), h.x('t', [3], { lo: 0, hi: 999 }), c) });
  console.log(`denoiser gradient check, ${name}: worst relative error ${r.worst.toExponential(2)}`);
  expect(r.worst).toBeLessThan(1e-5);
});

test('the U-Net maps [B, dim] to [B, dim] and refuses a dim that does not halve once per level', () => {
  const g = new Graph();
  const y = denoiser(g.input('x', g.float, ['B', 16]), g.input('t', g.float, ['B']), { dim: 16, width: 4, blocks: 3, hidden: 0, timeDim: 4, kind: 'unet' });
  expect([y.shape.length, y.shape[1]]).toEqual([2, 16]);
  const g2 = new Graph();
  expect(() => denoiser(g2.input('x', g2.float, ['B', 12]), g2.input('t', g2.float, ['B']), { dim: 12, width: 4, blocks: 3, hidden: 0, timeDim: 4, kind: 'unet' })).toThrow(
    'dim 12 does not halve 3 times',
  );
});
