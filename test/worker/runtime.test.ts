/** Execution providers and threads come from the configuration; an unavailable provider falls back to CPU. */
import { Graph } from '../../worker/graph/graph';
import { toOnnx } from '../../worker/graph/onnx';
import * as o from '../../worker/graph/ops';
import { openSession, runtimeConfig } from '../../worker/runtime';
import * as ort from 'onnxruntime-node';

test('configuration from the environment, CPU by default', () => {
  expect(runtimeConfig({}).executionProviders).toEqual(['cpu']);
  expect(runtimeConfig({ ALTBRIDGE_PROVIDERS: 'cuda, cpu', ALTBRIDGE_THREADS: '3' })).toMatchObject({ executionProviders: ['cuda', 'cpu'], threads: 3 });
  expect(() => runtimeConfig({ ALTBRIDGE_THREADS: 'two' })).toThrow(/ALTBRIDGE_THREADS must be a whole number/);
});

test('a provider this host lacks gives a warning and a working CPU session', async () => {
  const g = new Graph();
  g.output(o.mul(g.input('x', 'float32', [2]), 3), 'y');
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const session = await openSession(toOnnx(g), { executionProviders: ['cuda', 'cpu'], threads: 1, optimization: 'all' });
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) });
  expect(Array.from(out.y.data as Float32Array)).toEqual([3, 6]);
  // CPU-only builds either skip CUDA silently or fail to create it; in the latter case we say so.
  for (const call of warn.mock.calls) expect(String(call[0])).toMatch(/falling back to CPU/);
  warn.mockRestore();
  await session.release();
});
