/** Trainer behaviours beyond the loss curve: EMA, cancellation, progress events, refusals. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { Graph } from '../../../worker/graph/graph';
import { mse } from '../../../worker/graph/losses';
import { buildTrainStep } from '../../../worker/graph/train-step';
import { Progress, Trainer, TrainerOptions } from '../../../worker/train/trainer';

/** Fits w [4] to rows of a fixed target: small enough to check by hand. */
const fit = (width: number) => (g: Graph) => {
  const w = g.param('w', [1, width], { kind: 'normal', std: 1 });
  const y = g.input('y', 'float32', ['B', width]);
  return { loss: mse(w, y) };
};
const data = (width: number) => ({
  size: 8,
  batch: (idx: Uint32Array) => ({
    y: new ort.Tensor(
      'float32',
      Float32Array.from({ length: idx.length * width }, (_, i) => (i % width) - 1),
      [idx.length, width],
    ),
  }),
});
const options = (extra: Partial<TrainerOptions> = {}): TrainerOptions => ({
  graph: buildTrainStep(fit(4)),
  data: data(4),
  batchSize: 4,
  steps: 6,
  seed: 9,
  schedule: { peak: 0.1, warmup: 2 },
  ...extra,
});
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-trainer-'));

test('EMA follows the parameters with the given decay; progress events carry throughput and ETA', async () => {
  const trainer = new Trainer(options({ ema: 0.8 }));
  const start = Float32Array.from(trainer.params.get('w')!);
  const expected = Float64Array.from(start);
  const events: Progress[] = [];
  trainer.on('progress', (p: Progress) => {
    events.push(p);
    trainer.params.get('w')!.forEach((x, i) => (expected[i] = 0.8 * expected[i] + 0.2 * x));
  });
  const result = await trainer.run();
  result.ema!.get('w')!.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
  expect(result.ema!.get('w')).not.toEqual(result.params.get('w'));
  expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(events[5].etaSec).toBe(0);
  expect(events[2].unitsPerSec).toBeGreaterThan(0);
  expect(events[1].loss).toBeLessThan(events[0].loss);
});

test('a cancelled run stops after the current step, checkpoints, and resumes from there', async () => {
  const runDir = tmp();
  const abort = new AbortController();
  const first = new Trainer(options({ runDir, signal: abort.signal }));
  first.on('progress', (p: Progress) => p.step === 3 && abort.abort());
  const r1 = await first.run();
  expect(r1).toMatchObject({ cancelled: true, step: 3 });
  const second = new Trainer(options({ runDir }));
  const resumed: number[] = [];
  second.on('resumed', (e: { step: number }) => resumed.push(e.step));
  const r2 = await second.run();
  expect(resumed).toEqual([3]);
  expect(r2.step).toBe(6);
  expect(fs.readFileSync(path.join(runDir, 'loss.jsonl'), 'utf8').trim().split('\n')).toHaveLength(6);
});

test('a checkpoint of another model is refused, not mixed in', async () => {
  const runDir = tmp();
  await new Trainer(options({ runDir })).run();
  const other = new Trainer(options({ runDir, graph: buildTrainStep(fit(5)), data: data(5) }));
  await expect(other.run()).rejects.toThrow(/belongs to another model or setting/);
});

test('a diverging loss stops the run with a clear message; wrong initial values are refused', async () => {
  await expect(new Trainer(options({ schedule: { peak: 1e30, warmup: 0 } })).run()).rejects.toThrow(/loss became (NaN|Infinity) at step \d+/);
  expect(() => new Trainer(options({ init: new Map([['w', new Float32Array(3)]]) }))).toThrow(/initial w has 3 values, expected 4/);
  await expect(new Trainer(options({ data: { size: 0, batch: () => ({}) } })).run()).rejects.toThrow(/dataset is empty/);
});
