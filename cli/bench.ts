/** `altbridge bench caption|train|queue`: the benchmarks' options; the benchmarks themselves are in bench/. */
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { benchCaption } from '../bench/caption';
import { BENCH_DEFAULTS, benchTrain } from '../bench/train';
import { BRIDGE_DEFAULTS } from '../worker/diffusion';
import { wholeNumber } from './args';

const s = { type: 'string' } as const;

/** `bench caption [--images 8] [--beam 3] [--max-tokens 16] [--m 600] [--steps 5]`. */
async function benchCaptionCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: { images: s, beam: s, 'max-tokens': s, m: s, steps: s } });
  await benchCaption({
    images: wholeNumber('images', v.images, 1) ?? 8,
    beam: wholeNumber('beam', v.beam, 1) ?? 3,
    maxTokens: wholeNumber('max-tokens', v['max-tokens'], 1) ?? 16,
    m: wholeNumber('m', v.m, 1) ?? BRIDGE_DEFAULTS.defaultM,
    steps: wholeNumber('steps', v.steps, 1) ?? BRIDGE_DEFAULTS.ddimSteps,
  });
  return 0;
}

const TRAIN_SIZES = ['layers', 'width', 'heads', 'seq', 'batch', 'vocab', 'threads', 'steps', 'warmup'] as const;

/** `bench train [--layers 4] [--width 512] ... [--no-torch]`. */
async function benchTrainCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: { layers: s, width: s, heads: s, seq: s, batch: s, vocab: s, threads: s, steps: s, warmup: s, 'no-torch': { type: 'boolean' } },
  });
  const opts = { ...BENCH_DEFAULTS, torch: !v['no-torch'] };
  for (const key of TRAIN_SIZES) opts[key] = wholeNumber(key, v[key], key === 'warmup' ? 0 : 1) ?? opts[key];
  await benchTrain(opts);
  return 0;
}

/** `bench queue [--images 200] [--app DIR] [--concurrency N] [--upload-concurrency 4] [--json]`. */
async function benchQueueCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: { images: s, app: s, concurrency: s, 'upload-concurrency': s, seed: s, size: s, timeout: s, json: { type: 'boolean' } } });
  // Strapi is the server side's dependency, loaded only for this benchmark (see cli/worker.ts).
  const { benchQueue, formatBenchQueue } = require('../bench/queue') as typeof import('../bench/queue');
  const concurrency = wholeNumber('concurrency', v.concurrency, 1);
  const r = await benchQueue({
    images: wholeNumber('images', v.images, 1) ?? 200,
    appDir: path.resolve(v.app ?? path.join(__dirname, '..', 'example')),
    concurrency,
    uploadConcurrency: wholeNumber('upload-concurrency', v['upload-concurrency'], 1) ?? 4,
    seed: wholeNumber('seed', v.seed, 0) ?? 2026,
    size: wholeNumber('size', v.size, 16) ?? 64,
    timeoutSec: wholeNumber('timeout', v.timeout, 1) ?? 1800,
  });
  process.stdout.write((v.json ? JSON.stringify(r) : formatBenchQueue(r, { concurrency: concurrency ?? Number(process.env.ALTBRIDGE_CONCURRENCY ?? 2), cpus: os.cpus().length })) + '\n');
  return 0;
}

export const benchCommands = { caption: benchCaptionCommand, train: benchTrainCommand, queue: benchQueueCommand };
