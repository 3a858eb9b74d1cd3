/**
 * `altbridge demo`: trains a small caption decoder from scratch on the built-in demo captions
 * (each tied to a random condition vector) and shows it decoding them back.
 */
import { toy, BOS, EOS } from '../demo';
import { decoderTrain } from '../graph/decoder';
import { buildTrainStep } from '../graph/train-step';
import { closeGenerator, generate, openGenerator } from '../generate';
import { Trainer } from '../train/trainer';
import { progressBar } from './progress';

export async function demo(): Promise<number> {
  const { lines, words, cfg, cond, data } = toy();
  console.log(`Training a ${cfg.layers}-layer caption decoder (width ${cfg.width}) from scratch on ${lines.length} captions...`);
  const graph = buildTrainStep(decoderTrain(cfg, { smoothing: 0, ignoreIndex: 0 }), { adamw: { weightDecay: 0 } });
  const trainer = new Trainer({ graph, data, batchSize: 64, steps: 400, seed: 1, schedule: { peak: 3e-3, warmup: 20, floor: 3e-4 } });
  trainer.on('progress', progressBar('train'));
  const result = await trainer.run();
  const gen = await openGenerator(cfg, result.params);
  const captions = await generate(gen, cond, lines.length, { bos: BOS, eos: EOS, beam: 3 });
  await closeGenerator(gen);
  let exact = 0;
  captions.forEach((c, i) => {
    const text = c.tokens.map((t) => words[t]).join(' ');
    if (text === lines[i]) exact++;
    if (i < 8) console.log(`  ${text === lines[i] ? 'ok ' : 'NO '} ${text}   (confidence ${c.confidence.toFixed(3)})`);
  });
  console.log(`  ... ${exact}/${lines.length} captions reproduced exactly (beam search, width 3)`);
  return exact === lines.length ? 0 : 1;
}
