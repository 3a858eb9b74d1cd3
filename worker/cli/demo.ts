/**
 * `altbridge demo`: trains a small caption decoder from scratch on the built-in demo captions
 * (each tied to a random condition vector) and shows it decoding them back.
 */
import { toy, BOS, EOS } from '../demo';
import { decoderInfer, decoderTrain } from '../graph/decoder';
import { buildInference, buildTrainStep } from '../graph/train-step';
import { greedyDecode } from '../generate';
import { openSession } from '../runtime';
import { Trainer } from '../train/trainer';
import { progressBar } from './progress';

export async function demo(): Promise<number> {
  const { lines, words, cfg, cond, data } = toy();
  console.log(`Training a ${cfg.layers}-layer caption decoder (width ${cfg.width}) from scratch on ${lines.length} captions...`);
  const graph = buildTrainStep(decoderTrain(cfg, { smoothing: 0, ignoreIndex: 0 }), { adamw: { weightDecay: 0 } });
  const trainer = new Trainer({ graph, data, batchSize: 64, steps: 400, seed: 1, schedule: { peak: 3e-3, warmup: 20, floor: 3e-4 } });
  trainer.on('progress', progressBar('train'));
  const result = await trainer.run();
  const session = await openSession(buildInference(decoderInfer(cfg), result.params));
  const decoded = await greedyDecode(session, cfg, cond, lines.length, { bos: BOS, eos: EOS });
  await session.release();
  let exact = 0;
  decoded.forEach((ids, i) => {
    const text = ids.map((t) => words[t]).join(' ');
    if (text === lines[i]) exact++;
    if (i < 8) console.log(`  ${text === lines[i] ? 'ok ' : 'NO '} ${text}`);
  });
  console.log(`  ... ${exact}/${lines.length} captions reproduced exactly by greedy decoding`);
  return exact === lines.length ? 0 : 1;
}
