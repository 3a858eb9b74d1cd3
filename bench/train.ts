/**
 * `altbridge bench train`: tokens/s of one decoder train step (forward, gradients, clipping,
 * AdamW) run by the product's trainer on onnxruntime, and of the same model and batch in
 * PyTorch on CPU, both measured in this run. PyTorch is a benchmark-only baseline.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { DecoderConfig, decoderTrain } from '../worker/graph/decoder';
import { buildTrainStep } from '../worker/graph/train-step';
import { runtimeConfig } from '../worker/runtime';
import { Rng } from '../worker/train/rng';
import { Trainer } from '../worker/train/trainer';
import { PACKAGE_ROOT } from '../worker/package-root';

export interface BenchOptions {
  layers: number;
  width: number;
  heads: number;
  seq: number;
  batch: number;
  vocab: number;
  threads: number;
  warmup: number;
  steps: number;
  torch: boolean;
}

export const BENCH_DEFAULTS: BenchOptions = { layers: 4, width: 512, heads: 8, seq: 24, batch: 64, vocab: 4096, threads: 2, warmup: 3, steps: 10, torch: true };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchOnnx(b: BenchOptions): Promise<{ stepMs: number; tokensPerSec: number; params: number }> {
  const cfg: DecoderConfig = {
    vocab: b.vocab,
    width: b.width,
    layers: b.layers,
    heads: b.heads,
    mlpRatio: 4,
    maxLen: b.seq,
    condDim: 0,
    prefixTokens: 0,
    prefixHidden: 0,
    softPrompts: 0,
  };
  const graph = buildTrainStep(decoderTrain(cfg, { smoothing: 0.1, ignoreIndex: 0 }), { adamw: { weightDecay: 0.01, clipNorm: 1 } });
  // One fixed batch, like the baseline: the figure is the step, not data preparation.
  const rng = new Rng(0);
  const n = b.batch * b.seq;
  const tokens = BigInt64Array.from({ length: n }, () => BigInt(1 + rng.int(b.vocab - 1)));
  const targets = BigInt64Array.from({ length: n }, () => BigInt(rng.uniform() < 0.05 ? 0 : rng.int(b.vocab)));
  const data = {
    size: b.batch,
    batch: () => ({
      tokens: new ort.Tensor('int64', tokens, [b.batch, b.seq]),
      targets: new ort.Tensor('int64', targets, [b.batch, b.seq]),
    }),
  };
  const trainer = new Trainer({
    graph,
    data,
    batchSize: b.batch,
    steps: b.warmup + b.steps,
    seed: 0,
    schedule: { peak: 1e-4, warmup: 0 },
    runtime: { ...runtimeConfig(), threads: b.threads },
  });
  const times: number[] = [];
  let last = 0;
  trainer.on('progress', (p: { step: number }) => {
    const now = performance.now();
    if (p.step > b.warmup) times.push(now - last);
    last = now;
  });
  last = performance.now();
  await trainer.run();
  const stepMs = median(times);
  return { stepMs, tokensPerSec: (n / stepMs) * 1000, params: graph.params.reduce((s, p) => s + p.shape.reduce((a, c) => a * c, 1), 0) };
}

export function benchTorch(b: BenchOptions): { stepMs: number; tokensPerSec: number; version: string; params: number } {
  // Its scripts stay beside the sources (the published package runs dist/ and does not ship them).
  const dir = path.join(PACKAGE_ROOT, 'bench');
  const ensure = spawnSync('bash', [path.join(dir, 'ensure-torch.sh')], { stdio: 'inherit' });
  if (ensure.status !== 0) throw new Error('bench: PyTorch (Debian python3-torch) could not be installed; run with --no-torch to skip the baseline');
  const config = { layers: b.layers, width: b.width, heads: b.heads, seq: b.seq, batch: b.batch, vocab: b.vocab, threads: b.threads, warmup: b.warmup, steps: b.steps };
  // This machine pins OpenBLAS to its Haswell kernels (OPENBLAS_CORETYPE) for old builds' sake;
  // Debian's 0.3.21 runs its own pick correctly and faster, so the baseline gets its best.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const out = execFileSync('/usr/bin/python3', [path.join(dir, 'torch_train.py'), JSON.stringify(config)], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  const blas = String(r.blas).includes('openblas') ? 'OpenBLAS' : `BLAS ${r.blas}`;
  return { stepMs: r.step_ms_median, tokensPerSec: r.tokens_per_s, version: `${r.torch} (${blas})`, params: r.params };
}

export async function benchTrain(b: BenchOptions, log: (line: string) => void = console.log): Promise<void> {
  log(
    `decoder train step: ${b.layers} layers, width ${b.width}, ${b.heads} heads, sequence ${b.seq}, batch ${b.batch}, vocab ${b.vocab}, ${b.threads} threads; median of ${b.steps} steps after ${b.warmup} warm-up`,
  );
  const onnx = await benchOnnx(b);
  log(`onnxruntime ${ort.env.versions.node}: ${onnx.stepMs.toFixed(1)} ms/step, ${onnx.tokensPerSec.toFixed(0)} tokens/s (${(onnx.params / 1e6).toFixed(2)} M params)`);
  if (!b.torch) return;
  const torch = benchTorch(b);
  log(`pytorch ${torch.version}: ${torch.stepMs.toFixed(1)} ms/step, ${torch.tokensPerSec.toFixed(0)} tokens/s (${(torch.params / 1e6).toFixed(2)} M params)`);
  log(`ratio onnxruntime / pytorch (tokens/s): ${(onnx.tokensPerSec / torch.tokensPerSec).toFixed(2)}`);
}
