/**
 * Fine-tuning from the admin panel: uploaded caption corpora (checked with readCorpus), one run at
 * a time in a child process (worker/finetune/child.ts) so Strapi answers and the queue keeps
 * captioning with the active bundle, its live progress and loss curve, the evaluation of the new
 * version against the active one, and the atomic switch of the active bundle (one settings write;
 * the worker opens the new bundle before closing the old) with the old version kept for rollback.
 *
 * The run's state is kept in the plugin store (written on every stage and at most every 2 s of
 * progress), so GET /finetune answers after a restart too; a run whose process is gone is reported
 * 'interrupted' (its checkpoints stay in the run folder).
 */
import type { Core } from '@strapi/strapi';
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listBundles, modelsDir } from '../../../worker/bundle/load';
import { CorpusError, CorpusReport, readCorpus } from '../../../worker/corpus/read';
import { FINETUNE_STAGES, FinetuneEval, FinetuneMessage, FinetuneSpec } from '../../../worker/finetune/job';
import { nextVersion } from '../../../worker/bundle/version';
import type { AltbridgeConfig } from '../config';
import { Conflict, InvalidInput, NotFound, TooLarge } from '../errors';
import { getService } from '.';

const FORMATS: Record<string, 'txt' | 'csv' | 'tsv' | 'jsonl'> = { '.txt': 'txt', '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };
/** Points kept per stage's loss curve (older points are thinned to every other one). */
const CURVE_POINTS = 400;

export interface CorpusInfo {
  id: string;
  name: string;
  bytes: number;
  format: string;
  uploadedAt: string;
  uploadedBy: string | null;
  report: CorpusReport;
  /** A few of the kept lines, as the trainer will see them. */
  sample: string[];
  warnings: string[];
}

export type RunState = 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface RunStatus {
  id: string;
  state: RunState;
  base: string;
  /** The version being written, name@version. */
  target: string;
  corpus: { id: string; name: string };
  options: { denoiserSteps: number; decoderSteps: number; draws: number; seed: number };
  stage: string | null;
  stageDetail: string | null;
  /** Index of the stage in `stages` (0-based). */
  stageIndex: number;
  stages: string[];
  step: number;
  total: number;
  /** Seconds left in the current stage's steps; null outside the training stages. */
  etaSec: number | null;
  loss: number | null;
  /** [step, loss] per training stage, for the live curve. */
  losses: { denoiser: [number, number][]; decoder: [number, number][] };
  startedAt: string;
  startedBy: string | null;
  finishedAt: string | null;
  error: string | null;
  eval: FinetuneEval | null;
  activated: boolean;
  /** The bundle active before this run's version was activated (for rollback). */
  previousBundle: string | null;
  pid: number;
  host: string;
}

const nameOf = (u: { firstname?: string | null; lastname?: string | null; email?: string; id: number } | null | undefined) =>
  u ? [u.firstname, u.lastname].filter(Boolean).join(' ') || u.email || `admin #${u.id}` : null;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stepsIn(b: Record<string, unknown>, key: string, fallback: number): number {
  const v = b[key];
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 100_000) throw new InvalidInput(`${key} must be a whole number from 1 to 100000`);
  return v as number;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get('plugin::altbridge') as AltbridgeConfig;
  const dataDir = () => path.resolve(strapi.dirs.app.root, config().dataDir);
  const runStore = () => strapi.store({ type: 'plugin', name: 'altbridge', key: 'finetune' });
  const corpusStore = () => strapi.store({ type: 'plugin', name: 'altbridge', key: 'corpora' });

  let current: { status: RunStatus; child: ChildProcess; lastSave: number } | null = null;

  const corpora = async () => ((await corpusStore().get({})) as CorpusInfo[] | null) ?? [];
  const save = (s: RunStatus) => runStore().set({ value: s });

  async function stored(): Promise<RunStatus | null> {
    const s = (await runStore().get({})) as RunStatus | null;
    if (!s) return null;
    // A run whose process is gone (Strapi restarted, the child was killed) cannot finish.
    if ((s.state === 'running' || s.state === 'cancelling') && current?.status.id !== s.id && (s.host !== os.hostname() || !alive(s.pid))) {
      const fixed = { ...s, state: 'interrupted' as const, finishedAt: new Date().toISOString(), error: s.error ?? 'the training process ended without finishing (restart or crash); start the run again' };
      await save(fixed);
      return fixed;
    }
    return s;
  }

  function onMessage(m: FinetuneMessage): void {
    if (!current) return;
    const s = current.status;
    if (m.type === 'stage') {
      s.stage = m.stage;
      s.stageDetail = m.detail;
      s.stageIndex = FINETUNE_STAGES.indexOf(m.stage);
      s.step = 0;
      s.total = 0;
      s.etaSec = null;
    } else if (m.type === 'progress') {
      s.step = m.step;
      s.total = m.total;
      s.etaSec = Math.round(m.etaSec);
      s.loss = m.loss;
      if (m.stage === 'denoiser' || m.stage === 'decoder') {
        const curve = s.losses[m.stage];
        curve.push([m.step, m.loss]);
        if (curve.length > CURVE_POINTS) s.losses[m.stage] = curve.filter((_, i) => i % 2 === 0 || i === curve.length - 1);
      }
      if (Date.now() - current.lastSave < 2000) return;
    } else if (m.type === 'done') {
      s.state = 'done';
      s.target = m.bundle;
      s.eval = m.eval;
      s.finishedAt = new Date().toISOString();
      s.etaSec = 0;
    } else if (m.type === 'error') {
      s.state = m.cancelled ? 'cancelled' : 'failed';
      s.error = m.cancelled ? null : m.message;
      s.finishedAt = new Date().toISOString();
    }
    current.lastSave = Date.now();
    void save(s).catch((err: Error) => strapi.log.error(`altbridge: fine-tuning state: ${err.message}`));
  }

  return {
    /** Stores an uploaded corpus file after checking it; a file with no usable line is refused. */
    async addCorpus(file: { filepath: string; originalFilename?: string | null; size: number } | undefined, user: unknown): Promise<CorpusInfo> {
      if (!file) throw new InvalidInput('send the corpus as multipart/form-data in a field named "corpus"');
      const name = path.basename(file.originalFilename || 'corpus.txt');
      const limit = config().corpusMaxBytes;
      if (file.size > limit) throw new TooLarge(`the corpus is ${file.size} bytes; the limit is ${limit} bytes (${Math.round(limit / 1048576)} MB)`);
      const ext = path.extname(name).toLowerCase();
      const format = FORMATS[ext];
      if (!format) throw new InvalidInput(`${name}: a corpus must be .txt (one caption per line), .csv or .tsv (a "caption" column) or .jsonl (a "caption" field)`);
      if (file.size === 0) throw new InvalidInput(`${name} is empty`);
      const id = `corpus-${Date.now()}`;
      const dir = path.join(dataDir(), 'corpora');
      fs.mkdirSync(dir, { recursive: true });
      const dest = path.join(dir, `${id}${ext}`);
      fs.copyFileSync(file.filepath, dest);
      let report: CorpusReport;
      let sample: string[];
      try {
        const c = await readCorpus(dest, { format });
        report = c.report;
        sample = c.train.slice(0, 5);
      } catch (err) {
        fs.rmSync(dest, { force: true });
        if (err instanceof CorpusError || err instanceof RangeError) {
          const msg = (err as Error).message.split(dest).join(name);
          throw new InvalidInput(msg.startsWith(name) ? msg : `${name}: ${msg}`);
        }
        throw err;
      }
      if (report.kept === 0) {
        fs.rmSync(dest, { force: true });
        const why = Object.entries(report.dropped).map(([k, n]) => `${n} ${k}`).join(', ');
        throw new InvalidInput(`${name}: no usable caption lines (${report.lines} read${why ? `; dropped: ${why}` : ''})`);
      }
      const warnings: string[] = [];
      if (report.heldOut === 0) warnings.push('no line was held out for evaluation: the new version cannot be compared with the active one (add more lines)');
      if (report.train < 100) warnings.push(`only ${report.train} training lines: a few thousand give a much better fine-tune`);
      const info: CorpusInfo = { id, name, bytes: file.size, format, uploadedAt: new Date().toISOString(), uploadedBy: nameOf(user as never), report, sample, warnings };
      await corpusStore().set({ value: [info, ...(await corpora())].slice(0, 20) });
      return info;
    },

    corpora,

    async status(): Promise<RunStatus | null> {
      return current?.status ?? (await stored());
    },

    async start(input: Record<string, unknown>, user: unknown): Promise<RunStatus> {
      if (current || ['running', 'cancelling'].includes((await stored())?.state ?? '')) throw new Conflict('a fine-tuning run is already going; wait for it or cancel it');
      if (typeof input.corpusId !== 'string') throw new InvalidInput('corpusId (from POST /finetune/corpus) is required');
      const corpus = (await corpora()).find((c) => c.id === input.corpusId);
      if (!corpus) throw new NotFound(`no uploaded corpus ${input.corpusId}`);
      const corpusFile = path.join(dataDir(), 'corpora', `${corpus.id}${path.extname(corpus.name).toLowerCase()}`);
      if (!fs.existsSync(corpusFile)) throw new NotFound(`the file of corpus ${corpus.id} is gone; upload it again`);
      const steps = stepsIn(input, 'steps', 2000);
      const options = { denoiserSteps: stepsIn(input, 'denoiserSteps', steps), decoderSteps: stepsIn(input, 'decoderSteps', steps), draws: stepsIn(input, 'draws', 4), seed: Number.isInteger(input.seed) ? (input.seed as number) : 0 };
      if (options.draws > 16) throw new InvalidInput('draws must be at most 16');

      const settings = getService(strapi, 'settings');
      const base = (await settings.get()).bundle;
      // Pin the active bundle: a default that names no version would otherwise move to the new one by itself.
      await settings.set({ bundle: base });
      const [name, baseVersion] = base.split('@');
      const dir = modelsDir();
      const version = nextVersion(name, baseVersion, dir);
      const id = `finetune-${Date.now()}`;
      const runDir = path.join(dataDir(), 'runs', id);
      fs.mkdirSync(runDir, { recursive: true });
      const spec: FinetuneSpec = { base, corpus: corpusFile, modelsDir: dir, name, version, runDir, ...options };
      const specFile = path.join(runDir, 'spec.json');
      fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));

      const child = fork(require.resolve('../../../worker/finetune/child.ts'), [specFile], {
        execArgv: ['--require', require.resolve('tsx/cjs')],
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      child.stdout!.resume();
      const status: RunStatus = {
        id, state: 'running', base, target: `${name}@${version}`, corpus: { id: corpus.id, name: corpus.name }, options,
        stage: null, stageDetail: null, stageIndex: -1, stages: FINETUNE_STAGES, step: 0, total: 0, etaSec: null, loss: null,
        losses: { denoiser: [], decoder: [] }, startedAt: new Date().toISOString(), startedBy: nameOf(user as never), finishedAt: null,
        error: null, eval: null, activated: false, previousBundle: null, pid: child.pid!, host: os.hostname(),
      };
      current = { status, child, lastSave: 0 };
      child.on('message', (m) => onMessage(m as FinetuneMessage));
      child.on('exit', (code, signal) => {
        if (current?.child !== child) return;
        const s = current.status;
        if (s.state === 'running' || s.state === 'cancelling') {
          s.state = s.state === 'cancelling' ? 'cancelled' : 'failed';
          s.error = s.state === 'failed' ? `the training process exited with ${code ?? signal}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}` : null;
          s.finishedAt = new Date().toISOString();
        }
        current = null;
        void save(s).catch(() => undefined);
        strapi.log.info(`altbridge: fine-tuning ${s.id} ${s.state}${s.error ? `: ${s.error}` : ''}`);
      });
      await save(status);
      return status;
    },

    /** Stops the run after its current step (checkpoints stay); SIGKILL if it has not stopped in 30 s. */
    async cancel(): Promise<RunStatus> {
      if (!current) throw new Conflict('no fine-tuning run is going in this server');
      const { child, status } = current;
      status.state = 'cancelling';
      await save(status);
      if (child.connected) child.send('cancel');
      else child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 30_000).unref();
      return status;
    },

    /** Makes the finished run's version the active bundle; the previous one stays installed for rollback. */
    async activate(): Promise<{ bundle: string; previous: string }> {
      const s = await this.status();
      if (!s || s.state !== 'done') throw new Conflict(`no finished fine-tuning run to activate${s ? ` (the last one is ${s.state})` : ''}`);
      const r = await this.activateBundle(s.target);
      await save({ ...s, activated: true, previousBundle: r.previous });
      return r;
    },

    /** Switches the active bundle (one settings write; the worker swaps models between jobs). */
    async activateBundle(ref: unknown): Promise<{ bundle: string; previous: string }> {
      if (typeof ref !== 'string' || !ref.includes('@')) throw new InvalidInput('bundle must be name@version');
      const settings = getService(strapi, 'settings');
      const previous = (await settings.get()).bundle;
      await settings.set({ bundle: ref });
      return { bundle: ref, previous };
    },

    /** Installed bundles with what the versions page shows. */
    async bundles() {
      const active = (await getService(strapi, 'settings').get()).bundle;
      return listBundles()
        .map((b) => {
          let notes: string | null = null;
          try {
            notes = (JSON.parse(fs.readFileSync(path.join(b.dir, 'manifest.json'), 'utf8')) as { provenance?: { notes?: string } }).provenance?.notes ?? null;
          } catch {
            // listBundles reports the problem.
          }
          const ref = `${b.name}@${b.version}`;
          return { ref, name: b.name, version: b.version, createdAt: b.createdAt, captions: b.captions, problem: b.problem, notes, active: ref === active };
        })
        .sort((a, b) => a.name.localeCompare(b.name) || b.version.localeCompare(a.version, undefined, { numeric: true }));
    },

    /** Strapi is shutting down: stop the run (it resumes from its checkpoints if started again). */
    async stop(): Promise<void> {
      if (!current) return;
      const { child, status } = current;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      status.state = 'cancelling';
      if (child.connected) child.send('cancel');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
};
