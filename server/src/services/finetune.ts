/**
 * Fine-tuning runs from the admin panel: one at a time, in a child process (worker/finetune/child.ts)
 * so Strapi answers and the queue keeps captioning with the active bundle; its live progress and
 * loss curve; the evaluation of the new version against the active one; activation of the result
 * (through the bundles service). Corpora are the corpora service's; versions the bundles service's.
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
import { modelsDir } from '../../../worker/bundle/load';
import { nextVersion } from '../../../worker/bundle/version';
import { FINETUNE_STAGES, FinetuneMessage, FinetuneSpec } from '../../../worker/finetune/job';
import { Activation, FINETUNE_LIMITS, RunStatus } from '../contracts';
import { Conflict, InvalidInput } from '../errors';
import { optionalWhole } from '../input';
import { AdminUser, getService, nameOf, pluginConfig, pluginStore } from '../utils';

/** Points kept per stage's loss curve (older points are thinned to every other one). */
const CURVE_POINTS = 400;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const dataDir = () => path.resolve(strapi.dirs.app.root, pluginConfig(strapi).dataDir);
  const runStore = () => pluginStore(strapi, 'finetune');

  let current: { status: RunStatus; child: ChildProcess; lastSave: number } | null = null;

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
    async status(): Promise<RunStatus | null> {
      return current?.status ?? (await stored());
    },

    async start(input: Record<string, unknown>, user: AdminUser | null): Promise<RunStatus> {
      if (current || ['running', 'cancelling'].includes((await stored())?.state ?? '')) throw new Conflict('a fine-tuning run is already going; wait for it or cancel it');
      if (typeof input.corpusId !== 'string') throw new InvalidInput('corpusId (from POST /finetune/corpus) is required');
      const { steps: range, draws, defaultSteps, defaultDraws } = FINETUNE_LIMITS;
      const steps = optionalWhole('steps', input.steps, range) ?? defaultSteps;
      const options = {
        denoiserSteps: optionalWhole('denoiserSteps', input.denoiserSteps, range) ?? steps,
        decoderSteps: optionalWhole('decoderSteps', input.decoderSteps, range) ?? steps,
        draws: optionalWhole('draws', input.draws, draws) ?? defaultDraws,
        seed: optionalWhole('seed', input.seed, [0, Number.MAX_SAFE_INTEGER]) ?? 0,
      };
      const { corpus, file: corpusFile } = await getService(strapi, 'corpora').get(input.corpusId);

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
        stage: null, stageDetail: null, stageIndex: -1, stages: [...FINETUNE_STAGES], step: 0, total: 0, etaSec: null, loss: null,
        losses: { denoiser: [], decoder: [] }, startedAt: new Date().toISOString(), startedBy: nameOf(user), finishedAt: null,
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
    async activate(): Promise<Activation> {
      const s = await this.status();
      if (!s || s.state !== 'done') throw new Conflict(`no finished fine-tuning run to activate${s ? ` (the last one is ${s.state})` : ''}`);
      const r = await getService(strapi, 'bundles').activate(s.target);
      await save({ ...s, activated: true, previousBundle: r.previous });
      return r;
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
