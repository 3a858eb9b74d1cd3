/**
 * What a ViT-B/32 image tower (87.8M parameters, random weights) costs to make and run through the
 * graph module: drawing the values, serialising to ONNX and opening the session, one batch-1
 * forward pass (after a warm-up). `altbridge bench caption` times the whole captioning path.
 *
 *   npx tsx bench/vit-b32.ts
 */
import * as ort from 'onnxruntime-node';
import { imageEncoder, VIT_B32 } from '../worker/graph/clip';
import { Graph } from '../worker/graph/graph';
import { buildInference } from '../worker/graph/train-step';
import { openSession } from '../worker/runtime';
import { Rng } from '../worker/train/rng';
import { initialValue } from '../worker/train/trainer';
import { runMain } from './args';

async function main(): Promise<void> {
  const def = imageEncoder(VIT_B32);
  const g = new Graph();
  def(g);
  const specs = g.params.map((p) => p.spec);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const params = specs.reduce((s, p) => s + size(p.shape), 0);
  let t = performance.now();
  const values = new Map(specs.map((s, i) => [s.name, initialValue(s.init, size(s.shape), new Rng(7, i))]));
  const drawn = performance.now() - t;
  t = performance.now();
  const session = await openSession(buildInference(def, values));
  const opened = performance.now() - t;
  values.clear();
  const rng = new Rng(3);
  const one = {
    pixel_values: new ort.Tensor(
      'float32',
      Float32Array.from({ length: 3 * 224 * 224 }, () => rng.normal()),
      [1, 3, 224, 224],
    ),
  };
  await session.run(one);
  t = performance.now();
  await session.run(one);
  const forward = performance.now() - t;
  await session.release();
  console.log(
    `bench vit-b32: ${(params / 1e6).toFixed(2)}M parameters; values drawn in ${drawn.toFixed(0)} ms, serialised + opened in ${opened.toFixed(0)} ms, batch-1 forward ${forward.toFixed(0)} ms`,
  );
}

if (require.main === module) runMain(main);
