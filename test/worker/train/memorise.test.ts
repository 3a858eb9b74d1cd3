/**
 * End to end: a small causal transformer decoder, trained from scratch by the Trainer on
 * train-step graphs, memorises 64 short captions, each conditioned on its own random vector.
 */
import { BOS, EOS, toy } from '../../../worker/demo';
import { decoderInfer, decoderTrain } from '../../../worker/graph/decoder';
import { buildInference, buildTrainStep } from '../../../worker/graph/train-step';
import { greedyDecode } from '../../../worker/generate';
import { openSession } from '../../../worker/runtime';
import { Trainer } from '../../../worker/train/trainer';

test('a decoder memorises 64 captions: 100% teacher-forced accuracy and exact greedy decoding', async () => {
  const { lines, words, cfg, cond, data } = toy();
  const started = Date.now();
  const graph = buildTrainStep(decoderTrain(cfg, { smoothing: 0, ignoreIndex: 0 }), { adamw: { weightDecay: 0 } });
  const trainer = new Trainer({ graph, data, batchSize: 64, steps: 400, schedule: { peak: 3e-3, warmup: 20, floor: 3e-4 }, seed: 1 });
  const result = await trainer.run();
  const last = result.history[result.history.length - 1];
  const accuracy = last.metrics.correct / last.metrics.count;
  console.log(`memorise: ${result.step} steps in ${((Date.now() - started) / 1000).toFixed(1)} s, loss ${last.loss.toFixed(4)}, teacher-forced accuracy ${(100 * accuracy).toFixed(2)} %`);
  // Every caption token and the end token count; padding is ignored.
  expect(last.metrics.count).toBe(lines.reduce((n, l) => n + l.split(' ').length + 1, 0));
  expect(accuracy).toBe(1);

  // Greedy decoding with the inference graph of the same network definition.
  const session = await openSession(buildInference(decoderInfer(cfg), result.params));
  const decoded = await greedyDecode(session, cfg, cond, lines.length, { bos: BOS, eos: EOS });
  await session.release();
  const texts = decoded.map((ids) => ids.map((t) => words[t]).join(' '));
  console.log(`memorise: greedy decoding reproduces ${texts.filter((t, i) => t === lines[i]).length}/64 captions`);
  expect(texts).toEqual(lines);
});
