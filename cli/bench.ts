/** `altbridge bench caption|train|queue`: the benchmarks' options; the benchmarks themselves are in bench/. */
import * as os from 'os';
import * as path from 'path';
import { benchCaption } from '../bench/caption';
import { BENCH_DEFAULTS, benchTrain } from '../bench/train';
import { CAPTION_DEFAULTS } from '../worker/caption';
import { BRIDGE_DEFAULTS } from '../worker/diffusion';
import { PACKAGE_ROOT } from '../worker/package-root';
import { defineCommand } from './command';

const benchCaptionCommand = defineCommand({
  name: 'bench caption',
  summary: 'per-image latency by stage for ViT-B/32-sized models, batch 1 and 8, bridging vs M=0',
  about:
    "A ViT-B/32-shaped CLIP with the paper's denoiser and decoder sizes and random weights (speed does not depend on them); images/s, peak memory and the cost of bridging against M = 0 in the same run.",
  options: {
    images: { type: 'whole', min: 1, default: 8, help: 'images per measurement' },
    beam: { type: 'whole', min: 1, default: CAPTION_DEFAULTS.beam, help: 'beam width' },
    'max-tokens': { type: 'whole', min: 1, default: 16, help: 'tokens per caption' },
    m: { type: 'whole', min: 1, default: BRIDGE_DEFAULTS.defaultM, help: 'bridging depth M' },
    steps: { type: 'whole', min: 1, default: BRIDGE_DEFAULTS.ddimSteps, help: 'DDIM steps' },
  },
  example: 'altbridge bench caption --images 4',
  async run(v) {
    await benchCaption({ images: v.images, beam: v.beam, maxTokens: v['max-tokens'], m: v.m, steps: v.steps });
    return 0;
  },
});

const size = (min: number, help: string, key: Exclude<keyof typeof BENCH_DEFAULTS, 'torch'>) => ({ type: 'whole', min, default: BENCH_DEFAULTS[key], help }) as const;

const benchTrainCommand = defineCommand({
  name: 'bench train',
  summary: 'tokens/s of a decoder train step on onnxruntime vs PyTorch (CPU), in the same run',
  about: "The product's own trainer, then the same model and batch in PyTorch (bench/ensure-torch.sh installs Debian's python3-torch if missing; root or sudo needed).",
  options: {
    layers: size(1, 'decoder layers', 'layers'),
    width: size(1, 'model width', 'width'),
    heads: size(1, 'attention heads', 'heads'),
    seq: size(1, 'sequence length', 'seq'),
    batch: size(1, 'batch size', 'batch'),
    vocab: size(1, 'vocabulary size', 'vocab'),
    threads: size(1, 'threads of each side', 'threads'),
    steps: size(1, 'timed steps', 'steps'),
    warmup: size(0, 'untimed steps first', 'warmup'),
    'no-torch': { type: 'flag', help: 'skip PyTorch' },
  },
  example: 'altbridge bench train --layers 1 --width 64 --no-torch',
  async run(v) {
    const { 'no-torch': noTorch, ...sizes } = v;
    await benchTrain({ ...sizes, torch: !noTorch });
    return 0;
  },
});

const benchQueueCommand = defineCommand({
  name: 'bench queue',
  summary: 'images/s through Strapi (upload -> queue -> worker -> caption stored) and the queue wait',
  about: 'Starts the app on a fresh PostgreSQL database, uploads generated images through the upload API and waits for every caption.',
  options: {
    images: { type: 'whole', min: 1, default: 200, help: 'images to upload' },
    app: { type: 'text', arg: 'DIR', defaultText: "the project's example/", help: 'the Strapi app' },
    concurrency: { type: 'whole', min: 1, defaultText: "$ALTBRIDGE_CONCURRENCY, else the plugin's config", help: 'worker concurrency' },
    'upload-concurrency': { type: 'whole', min: 1, default: 4, help: 'uploads in flight at once' },
    seed: { type: 'whole', min: 0, default: 2026, help: 'seed of the generated scenes' },
    size: { type: 'whole', min: 16, default: 64, help: 'image width and height in pixels' },
    timeout: { type: 'whole', min: 1, default: 1800, help: 'seconds to wait for every caption' },
    json: { type: 'flag', help: 'the result as one JSON line' },
  },
  example: 'altbridge bench queue --images 50',
  async run(v) {
    // Strapi is the server side's dependency, loaded only for this benchmark (see cli/worker.ts).
    const { benchQueue, formatBenchQueue } = require('../bench/queue') as typeof import('../bench/queue');
    const r = await benchQueue({
      images: v.images,
      appDir: path.resolve(v.app ?? path.join(PACKAGE_ROOT, 'example')),
      concurrency: v.concurrency,
      uploadConcurrency: v['upload-concurrency'],
      seed: v.seed,
      size: v.size,
      timeoutSec: v.timeout,
    });
    process.stdout.write((v.json ? JSON.stringify(r) : formatBenchQueue(r, { concurrency: v.concurrency ?? Number(process.env.ALTBRIDGE_CONCURRENCY ?? 2), cpus: os.cpus().length })) + '\n');
    return 0;
  },
});

export const benchCommands = [benchCaptionCommand, benchTrainCommand, benchQueueCommand];
