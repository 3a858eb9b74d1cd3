/**
 * End to end: a small causal transformer decoder, trained from scratch by the Trainer on
 * train-step graphs, memorises 64 short captions, each conditioned on its own random vector.
 */
import * as ort from 'onnxruntime-node';
import { decoderInfer, decoderTrain } from '../../../worker/graph/decoder';
import { buildInference, buildTrainStep } from '../../../worker/graph/train-step';
import { Trainer } from '../../../worker/train/trainer';
import { openSession } from '../../../worker/runtime';
import { BOS, EOS, toy } from './fixtures/toy';

test('a decoder memorises 64 captions: 100% teacher-forced accuracy and exact greedy decoding', async () => {
  const { lines, words, cfg, cond, data } = toy();
  const maxLen = cfg.maxLen;
  const started = Date.now();
  const graph = buildTrainStep(decoderTrain(cfg, { smoothing: 0, ignoreIndex: 0 }), { adamw: { weightDecay: 0 } });
  const trainer = new Trainer({ graph, data, batchSize: 64, steps: 400, schedule: { peak: 3e-3, warmup: 20, floor: 3e-4 }, seed: 1 });
  const result = await trainer.run();
  const last = result.history[result.history.length - 1];
  const accuracy = last.metrics.correct / last.metrics.count;
  console.log(`memorise: ${result.step} steps in ${((Date.now() - started) / 1000).toFixed(1)} s, loss ${last.loss.toFixed(4)}, teacher-forced accuracy ${(100 * accuracy).toFixed(2)} %`);
  expect(accuracy).toBe(1);

  // Greedy decoding with the inference graph of the same network definition.
  const session = await openSession(buildInference(decoderInfer(cfg), result.params));
  const tokens = new BigInt64Array(64 * maxLen);
  for (let b = 0; b < 64; b++) tokens[b * maxLen] = BigInt(BOS);
  const done = new Array<boolean>(64).fill(false);
  const decoded: string[][] = lines.map(() => []);
  for (let t = 0; t < maxLen - 1; t++) {
    const out = await session.run({
      tokens: new ort.Tensor('int64', tokens, [64, maxLen]),
      cond: new ort.Tensor('float32', cond, [64, cfg.condDim]),
    });
    const logits = out.logits.data as Float32Array;
    for (let b = 0; b < 64; b++) {
      if (done[b]) continue;
      const row = logits.subarray((b * maxLen + t) * cfg.vocab, (b * maxLen + t + 1) * cfg.vocab);
      const next = row.indexOf(Math.max(...row));
      tokens[b * maxLen + t + 1] = BigInt(next);
      if (next === EOS) done[b] = true;
      else decoded[b].push(words[next]);
    }
  }
  await session.release();
  const exact = decoded.filter((d, b) => d.join(' ') === lines[b]).length;
  console.log(`memorise: greedy decoding reproduces ${exact}/64 captions`);
  expect(decoded.map((d) => d.join(' '))).toEqual(lines);
});
