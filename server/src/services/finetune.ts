/**
 * Fine-tuning runs from the admin panel: one at a time, in a child process (worker/finetune/child.ts)
 * so Strapi answers and the queue keeps captioning with the active bundle; its live progress and
 * loss curve; the evaluation of the new version against the active one; activation of the result
 * (through the bundles service). Corpora are the corpora service's; versions the bundles service's.
 *
 * The run's state is kept in the plugin store, so GET /finetune answers after a restart and from
 * every replica. A start claims the run under a PostgreSQL advisory lock, held from reading the
 * state to writing the new run: of two starts at once (in one server or two), one starts the run
 * and the other gets a 409. Liveness is a lease: the server running the run refreshes its
 * `heartbeatAt` every few seconds (a process id means nothing on another host or after a restart),
 * and a 'running' run whose heartbeat is older than the lease is 'interrupted' (its checkpoints stay
 * in the run folder). Every write of a run's state checks, under the same lock, that the stored run
 * is still that one, so a late write never overwrites a newer run.
 */
import type { Core } from '@strapi/strapi';
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { modelsDir } from '../../../worker/bundle/load';
import { parseBundleRef } from '../../../worker/bundle/names';
import { nextVersion } from '../../../worker/bundle/version';
import { FINETUNE_STAGES, FinetuneMessage, FinetuneSpec } from '../../../worker/finetune/job';
import { forkFinetune } from '../../../worker/finetune/spawn';
import { Activation, FINETUNE_LIMITS, RunStatus } from '../contracts';
import { Conflict, InvalidInput } from '../errors';
import { checked, optionalWhole } from '../input';
import { AdminUser, dataDir, getService, nameOf, pluginStore } from '../utils';

/** Points kept per stage's loss curve (older points are thinned to every other one). */
const CURVE_POINTS = 400;
/** How often the server running a run refreshes its heartbeat... */
const HEARTBEAT_MS = 5_000;
/** ...and how old a heartbeat may be before the run counts as interrupted (a few missed beats). */
const RUN_LEASE_MS = 30_000;
/** Progress is written at most this often (stages, the end and the heartbeat always are). */
const PROGRESS_SAVE_MS = 2_000;

const LOCK = 'altbridge.finetune';
const going = (s: RunStatus | null): s is RunStatus => s?.state === 'running' || s?.state === 'cancelling';
/** A run still held by a server: going, and its heartbeat within the lease (a missing or unreadable one is not). */
const held = (s: RunStatus | null): boolean => going(s) && Date.now() - Date.parse(s.heartbeatAt) <= RUN_LEASE_MS;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runStore = () => pluginStore(strapi, 'finetune');
  const read = async () => ((await runStore().get({})) as RunStatus | null) ?? null;

  /** This server's run: its state (the authority while it runs) and process. */
  let current: { status: RunStatus; child: ChildProcess; lastSave: number; heartbeat: NodeJS.Timeout } | null = null;
  /** Writes of this server's run, one after another, so an older state never lands last. */
  let writing: Promise<void> = Promise.resolve();

  /** `work` given the stored run, in a transaction holding the run's advisory lock (the store's queries join it). */
  async function exclusive<T>(work: (stored: RunStatus | null) => Promise<T>): Promise<T> {
    return await strapi.db.transaction(async ({ trx }) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [LOCK]);
      return work(await read());
    });
  }

  /** The stored run as it is: one whose lease expired cannot finish, whatever it last said. */
  function view(s: RunStatus | null): RunStatus | null {
    if (!going(s) || held(s)) return s;
    // finishedAt: the last sign of life (none in a state stored before heartbeats).
    return { ...s, state: 'interrupted', finishedAt: s.heartbeatAt ?? null, error: s.error ?? 'the server running it stopped sending its heartbeat (restart or crash); start the run again' };
  }

  /**
   * Stores a run of this server's with a fresh heartbeat, after its earlier writes, unless the stored
   * run is another (then a run still going here lost its lease: stop it). Each write serialises `s`
   * as it is then, so changes made to it meanwhile (an activation) are never written over.
   */
  function persist(s: RunStatus): Promise<void> {
    writing = writing
      .then(() =>
        exclusive(async (stored) => {
          if (stored?.id !== s.id) {
            if (current?.status !== s) return;
            strapi.log.warn(`altbridge: fine-tuning ${s.id} lost its lease to ${stored?.id ?? 'nothing'}; stopping it`);
            stopChild(current.child);
            return;
          }
          s.heartbeatAt = new Date().toISOString();
          await runStore().set({ value: s });
        }),
      )
      .catch((err: Error) => {
        strapi.log.error(`altbridge: fine-tuning state: ${err.message}`);
      });
    return writing;
  }

  function stopChild(child: ChildProcess): void {
    if (child.connected) child.send('cancel');
    else if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }

  function onMessage(m: FinetuneMessage): void {
    if (!current) return;
    const s = current.status;
    // The run is over once its child says so (its exit may come later): it needs no lease any more.
    if (m.type === 'done' || m.type === 'error') clearInterval(current.heartbeat);
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
      if (Date.now() - current.lastSave < PROGRESS_SAVE_MS) return;
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
    void persist(s);
  }

  /** The child ended (exit) or never started (error): the run's last state. */
  function ended(child: ChildProcess, why: () => string): void {
    if (current?.child !== child) return;
    const s = current.status;
    clearInterval(current.heartbeat);
    if (going(s)) {
      s.state = s.state === 'cancelling' ? 'cancelled' : 'failed';
      s.error = s.state === 'failed' ? why() : null;
      s.finishedAt = new Date().toISOString();
    }
    current = null;
    void persist(s);
    strapi.log.info(`altbridge: fine-tuning ${s.id} ${s.state}${s.error ? `: ${s.error}` : ''}`);
  }

  return {
    async status(): Promise<RunStatus | null> {
      return current?.status ?? view(await read());
    },

    async start(input: Record<string, unknown>, user: AdminUser | null): Promise<RunStatus> {
      // This server's last write of its own run lands first: an ended run must not read as going from the store.
      await writing;
      const status = await exclusive(async (stored) => {
        // This server's own run counts by its state here (ended as soon as its child reported the end, before its
        // exit and last write land), any other by its lease.
        const own = current?.status.id;
        const busy = current ? going(current.status) || (stored?.id !== own && held(stored)) : held(stored);
        if (busy) throw new Conflict('a fine-tuning run is already going; wait for it or cancel it');
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
        const { name, version: baseVersion } = checked(() => parseBundleRef(base));
        if (!baseVersion) throw new InvalidInput(`the active bundle ${base} has no installed version to continue`);
        const dir = modelsDir();
        // Versions installed or reserved by a run going elsewhere (the CLI) are skipped; the child reserves this one.
        const version = nextVersion(name, baseVersion, dir);
        const id = `finetune-${Date.now()}`;
        const runDir = path.join(dataDir(strapi), 'runs', id);
        fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
        // The run trains on its own copy: the corpus list may drop (and delete) the upload meanwhile.
        const copy = path.join(runDir, path.basename(corpusFile));
        fs.copyFileSync(corpusFile, copy);
        fs.chmodSync(copy, 0o600);
        const spec: FinetuneSpec = { base, corpus: copy, modelsDir: dir, name, version, runDir, ...options };
        fs.writeFileSync(path.join(runDir, 'spec.json'), JSON.stringify(spec, null, 2), { mode: 0o600 });
        const now = new Date().toISOString();
        const s: RunStatus = {
          id,
          state: 'running',
          base,
          target: `${name}@${version}`,
          corpus: { id: corpus.id, name: corpus.name },
          options,
          stage: null,
          stageDetail: null,
          stageIndex: -1,
          stages: [...FINETUNE_STAGES],
          step: 0,
          total: 0,
          etaSec: null,
          loss: null,
          losses: { denoiser: [], decoder: [] },
          startedAt: now,
          startedBy: nameOf(user),
          finishedAt: null,
          error: null,
          eval: null,
          activated: false,
          previousBundle: null,
          pid: 0,
          host: os.hostname(),
          heartbeatAt: now,
        };
        await runStore().set({ value: s });
        return s;
      });

      // The run is claimed (stored, its heartbeat fresh): start its process.
      const child = forkFinetune(path.join(dataDir(strapi), 'runs', status.id, 'spec.json'));
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      child.stdout!.resume();
      status.pid = child.pid ?? 0;
      const heartbeat = setInterval(() => void persist(status), HEARTBEAT_MS);
      current = { status, child, lastSave: 0, heartbeat };
      // A run that ended but whose process is still exiting may have been replaced: only the current child speaks.
      child.on('message', (m) => current?.child === child && onMessage(m as FinetuneMessage));
      child.on('exit', (code, signal) => ended(child, () => `the training process exited with ${code ?? signal}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`));
      child.on('error', (err) => ended(child, () => `the training process could not start: ${err.message}`));
      await persist(status);
      return status;
    },

    /** Stops the run after its current step (checkpoints stay); SIGKILL if it has not stopped in 30 s. */
    async cancel(): Promise<RunStatus> {
      // A run that has reported its end (done, failed, cancelled) is over, though its process may not have exited yet.
      if (!current || !going(current.status)) throw new Conflict('no fine-tuning run is going in this server');
      const { child, status } = current;
      status.state = 'cancelling';
      await persist(status);
      stopChild(child);
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 30_000).unref();
      return status;
    },

    /** Makes the finished run's version the active bundle; the previous one stays installed for rollback. */
    async activate(): Promise<Activation> {
      const s = await this.status();
      if (!s || s.state !== 'done') throw new Conflict(`no finished fine-tuning run to activate${s ? ` (the last one is ${s.state})` : ''}`);
      const r = await getService(strapi, 'bundles').activate(s.target);
      // `s` may be this server's run, whose last write (its process's exit) can still be on its way.
      s.activated = true;
      s.previousBundle = r.previous;
      await persist(s);
      return r;
    },

    /** Strapi is shutting down: stop the run (it resumes from its checkpoints if started again). */
    async stop(): Promise<void> {
      if (!current) return;
      const { child, status } = current;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      // A run that already ended keeps its state; only a going one is cancelled.
      if (going(status)) status.state = 'cancelling';
      stopChild(child);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await writing;
    },
  };
};
