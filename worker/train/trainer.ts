/**
 * Runs a train-step graph: seeded initialisation, shuffled batches, warm-up + cosine learning
 * rate, optional EMA of the parameters, a loss log, progress events and checkpoints that a killed
 * run resumes from. Everything random is derived from (seed, step), so a resumed run repeats an
 * uninterrupted one exactly.
 */
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import * as ort from 'onnxruntime-node';
import { Init, ParamSpec } from '../graph/graph';
import { stateName, TrainStepGraph } from '../graph/train-step';
import { openSession, RuntimeConfig, runtimeConfig } from '../runtime';
import { Rng } from './rng';
import { learningRate, LrSchedule } from './schedule';
import { readTensorFile, StoredTensor, writeTensorFile } from './tensor-file';

export interface Dataset {
  readonly size: number;
  /** Feeds for the examples at `indices`; `rng` is this step's own stream (noise, masking). */
  batch(indices: Uint32Array, rng: Rng): Record<string, ort.Tensor>;
  /** Tokens (or other units) in those examples, for the throughput figure. */
  units?(indices: Uint32Array): number;
}

export interface TrainerOptions {
  graph: TrainStepGraph;
  data: Dataset;
  batchSize: number;
  steps: number;
  schedule: Omit<LrSchedule, 'total'>;
  seed: number;
  /** EMA decay of the parameters (e.g. 0.995); off when absent. */
  ema?: number;
  /** Folder for checkpoint.safetensors and loss.jsonl; a run there is resumed. */
  runDir?: string;
  checkpointEvery?: number;
  /** Starting values (fine-tuning); others are initialised from the seed. */
  init?: Map<string, Float32Array>;
  runtime?: RuntimeConfig;
  signal?: AbortSignal;
}

export interface StepRecord {
  step: number;
  lr: number;
  loss: number;
  metrics: Record<string, number>;
}

export interface Progress extends StepRecord {
  total: number;
  elapsedSec: number;
  stepsPerSec: number;
  unitsPerSec: number;
  etaSec: number;
}

export interface TrainResult {
  params: Map<string, Float32Array>;
  /** Each parameter's shape. */
  shapes: Map<string, number[]>;
  ema: Map<string, Float32Array> | null;
  history: StepRecord[];
  step: number;
  cancelled: boolean;
}

export function initialValue(init: Init, size: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  if (init.kind === 'const') out.fill(init.value);
  else if (init.kind === 'normal') for (let i = 0; i < size; i++) out[i] = rng.normal() * init.std;
  else for (let i = 0; i < size; i++) out[i] = (2 * rng.uniform() - 1) * init.bound;
  return out;
}

const sizeOf = (p: ParamSpec) => p.shape.reduce((a, b) => a * b, 1);

/** Identifies the model a checkpoint belongs to, so a resume never mixes two models. */
function fingerprint(g: TrainStepGraph, batchSize: number, seed: number): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ params: g.params, batch: g.batchInputs, batchSize, seed }));
  return h.digest('hex').slice(0, 16);
}

export class Trainer extends EventEmitter {
  readonly params = new Map<string, Float32Array>();
  private m = new Map<string, Float32Array>();
  private v = new Map<string, Float32Array>();
  private ema: Map<string, Float32Array> | null = null;
  private history: StepRecord[] = [];
  private step = 0;
  private readonly id: string;

  constructor(private readonly o: TrainerOptions) {
    super();
    this.id = fingerprint(o.graph, o.batchSize, o.seed);
    o.graph.params.forEach((p, i) => {
      const given = o.init?.get(p.name);
      if (given && given.length !== sizeOf(p)) throw new Error(`trainer: initial ${p.name} has ${given.length} values, expected ${sizeOf(p)}`);
      this.params.set(p.name, given ? Float32Array.from(given) : initialValue(p.init, sizeOf(p), new Rng(o.seed, 3, i)));
      this.m.set(p.name, new Float32Array(sizeOf(p)));
      this.v.set(p.name, new Float32Array(sizeOf(p)));
    });
    if (o.ema !== undefined) this.ema = new Map([...this.params].map(([k, x]) => [k, Float32Array.from(x)]));
  }

  private get ckptPath(): string | null {
    return this.o.runDir ? path.join(this.o.runDir, 'checkpoint.safetensors') : null;
  }
  private get logPath(): string | null {
    return this.o.runDir ? path.join(this.o.runDir, 'loss.jsonl') : null;
  }

  /** Indices of the examples in step `s`: epochs are seeded permutations, the last partial batch dropped. */
  batchIndices(s: number): Uint32Array {
    const { size } = this.o.data;
    const b = Math.min(this.o.batchSize, size);
    const perEpoch = Math.floor(size / b);
    const perm = new Rng(this.o.seed, 1, Math.floor(s / perEpoch)).permutation(size);
    const k = s % perEpoch;
    return perm.subarray(k * b, k * b + b);
  }

  private resume(): void {
    const file = this.ckptPath;
    if (!file || !fs.existsSync(file)) return;
    const { tensors, meta } = readTensorFile(file);
    const info = meta as { id: string; step: number; history: StepRecord[] };
    if (info.id !== this.id) throw new Error(`trainer: ${file} belongs to another model or setting (delete it to start over)`);
    const take = (prefix: string, into: Map<string, Float32Array>) => {
      for (const name of this.params.keys()) {
        const t = tensors[`${prefix}${name}`];
        if (!t || !(t.data instanceof Float32Array)) throw new Error(`trainer: ${file} lacks ${prefix}${name}`);
        into.set(name, t.data);
      }
    };
    take('param/', this.params);
    take('adam.m/', this.m);
    take('adam.v/', this.v);
    if (this.ema) take('ema/', this.ema);
    this.step = info.step;
    this.history = info.history;
    if (this.logPath) fs.writeFileSync(this.logPath, this.history.map((r) => JSON.stringify(r) + '\n').join(''));
    this.emit('resumed', { step: this.step });
  }

  checkpoint(): void {
    const file = this.ckptPath;
    if (!file) return;
    const tensors: Record<string, StoredTensor> = {};
    const put = (prefix: string, from: Map<string, Float32Array>) => {
      for (const p of this.o.graph.params) tensors[`${prefix}${p.name}`] = { dtype: 'float32', shape: p.shape, data: from.get(p.name)! };
    };
    put('param/', this.params);
    put('adam.m/', this.m);
    put('adam.v/', this.v);
    if (this.ema) put('ema/', this.ema);
    writeTensorFile(file, tensors, { id: this.id, step: this.step, history: this.history });
    this.emit('checkpoint', { step: this.step, path: file });
  }

  async run(): Promise<TrainResult> {
    const { graph, data, steps, signal } = this.o;
    if (data.size === 0) throw new Error('trainer: the dataset is empty');
    if (this.o.runDir) fs.mkdirSync(this.o.runDir, { recursive: true });
    this.resume();
    const session = await openSession(graph.model, this.o.runtime ?? runtimeConfig());
    const every = this.o.checkpointEvery ?? 100;
    const schedule = { ...this.o.schedule, total: steps };
    const started = Date.now();
    const firstStep = this.step;
    let units = 0;
    let cancelled = false;
    const shapes = new Map(graph.params.map((p) => [p.name, p.shape]));
    try {
      while (this.step < steps) {
        if (signal?.aborted) {
          cancelled = true;
          break;
        }
        const s = this.step;
        const idx = this.batchIndices(s);
        const lr = learningRate(schedule, s);
        const feeds: Record<string, ort.Tensor> = { ...data.batch(idx, new Rng(this.o.seed, 2, s)) };
        for (const [name, shape] of shapes) {
          feeds[name] = new ort.Tensor('float32', this.params.get(name)!, shape);
          feeds[stateName.m(name)] = new ort.Tensor('float32', this.m.get(name)!, shape);
          feeds[stateName.v(name)] = new ort.Tensor('float32', this.v.get(name)!, shape);
        }
        feeds.lr = new ort.Tensor('float32', Float32Array.of(lr), []);
        feeds.step = new ort.Tensor('float32', Float32Array.of(s + 1), []);
        const out = await session.run(feeds);
        for (const name of shapes.keys()) {
          this.params.set(name, out[stateName.next(name)].data as Float32Array);
          this.m.set(name, out[stateName.next(stateName.m(name))].data as Float32Array);
          this.v.set(name, out[stateName.next(stateName.v(name))].data as Float32Array);
        }
        if (this.ema) this.updateEma(this.o.ema!);
        const metrics: Record<string, number> = {};
        for (const k of graph.metrics) metrics[k] = Number((out[k].data as Float32Array)[0]);
        const record: StepRecord = { step: s + 1, lr, loss: metrics.loss, metrics };
        if (!Number.isFinite(record.loss)) throw new Error(`trainer: loss became ${record.loss} at step ${s + 1} (lower the learning rate?)`);
        this.history.push(record);
        if (this.logPath) fs.appendFileSync(this.logPath, JSON.stringify(record) + '\n');
        this.step = s + 1;
        units += data.units ? data.units(idx) : idx.length;
        const elapsed = (Date.now() - started) / 1000;
        const done = this.step - firstStep;
        const progress: Progress = {
          ...record,
          total: steps,
          elapsedSec: elapsed,
          stepsPerSec: done / elapsed,
          unitsPerSec: units / elapsed,
          etaSec: ((steps - this.step) * elapsed) / done,
        };
        this.emit('progress', progress);
        if (this.step % every === 0 && this.step < steps) this.checkpoint();
      }
      this.checkpoint();
    } finally {
      await session.release();
    }
    return { params: this.params, shapes, ema: this.ema, history: this.history, step: this.step, cancelled };
  }

  private updateEma(decay: number): void {
    for (const [name, p] of this.params) {
      const e = this.ema!.get(name)!;
      for (let i = 0; i < p.length; i++) e[i] = decay * e[i] + (1 - decay) * p[i];
    }
  }
}

/** What each training stage (denoiser, decoder) takes besides its own settings. */
export interface StageOptions {
  steps: number;
  batchSize: number;
  lr: number;
  warmup: number;
  seed: number;
  runDir?: string;
  signal?: AbortSignal;
  runtime?: RuntimeConfig;
  onProgress?: (p: Progress) => void;
  init?: Map<string, Float32Array>;
}

/** Runs one stage's train-step graph over its data with the shared options. */
export function runStage(graph: TrainStepGraph, data: Dataset, o: StageOptions, ema?: number): Promise<TrainResult> {
  const trainer = new Trainer({
    graph,
    data,
    batchSize: o.batchSize,
    steps: o.steps,
    seed: o.seed,
    ema,
    schedule: { peak: o.lr, warmup: o.warmup },
    runDir: o.runDir,
    signal: o.signal,
    runtime: o.runtime,
    init: o.init,
  });
  if (o.onProgress) trainer.on('progress', o.onProgress);
  return trainer.run();
}
