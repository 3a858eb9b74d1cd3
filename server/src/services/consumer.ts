/**
 * The queue consumer, started by bootstrap (worker: 'inline') or by `npx altbridge worker` in its
 * own process: caption jobs, and the settings preview's jobs on a queue of their own (one at a
 * time; a preview waits for the caption runs in hand, not for the backlog), both on one engine.
 * BullMQ's stalled-job check requeues a job whose worker died (its lock expired).
 * The consuming process also runs the reconciler (jobs Redis lost are queued again from the caption
 * rows: at start, whenever the queue's Redis connection is ready again, and every reconcileMs) and
 * the backfill feeder. It announces itself with a heartbeat in Redis (services/workers.ts), so the
 * admin can tell when jobs wait and nobody consumes them, and logs a line per job and a summary a
 * minute.
 */
import type { Core } from '@strapi/strapi';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import * as os from 'os';
import { CaptionEngine } from '../../../worker/engine';
import { previewQueueName } from '../config';
import { previewProcessor } from '../consumer/preview-job';
import { ForeignJob, jobProcessor, JobResult } from '../consumer/process-job';
import type { CaptionJob, PreviewJob, PreviewRow, WorkerInfo, WorkerMode } from '../contracts';
import { redisConnection } from '../redis';
import { getService, pluginConfig } from '../utils';
import { HEARTBEAT_MS } from './workers';

/** How often the worker logs what it did (a minute with no job and nothing waiting is not logged). */
const SUMMARY_MS = 60_000;

interface Running {
  worker: Worker<CaptionJob, JobResult>;
  previews: Worker<PreviewJob, PreviewRow[]>;
  engine: CaptionEngine;
  timers: NodeJS.Timeout[];
  offReady: () => void;
  /** This process's heartbeat record. */
  self: WorkerInfo;
  /** Jobs ended since the last summary. */
  minute: { done: number; failed: number };
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let running: Running | null = null;
  let reconciling: Promise<unknown> | null = null;
  let beating: Promise<unknown> = Promise.resolve();

  function reconcile(): Promise<unknown> {
    reconciling ??= getService(strapi, 'queue')
      .reconcile()
      .catch((err: Error) => strapi.log.error(`altbridge: reconcile: ${err.message}`))
      .finally(() => (reconciling = null));
    return reconciling;
  }

  /** Writes the record; beats are chained, so the removal at stop comes after the last one. */
  function beat(r: Running): Promise<unknown> {
    r.self.seenAt = new Date().toISOString();
    const record = { ...r.self };
    beating = beating.then(() => getService(strapi, 'workers').beat(record)).catch((err: Error) => strapi.log.error(`altbridge: worker heartbeat: ${err.message}`));
    return beating;
  }

  /** One log line per job; the job becomes the heartbeat's last one. */
  function ended(r: Running, job: Job<CaptionJob>, ms: number, outcome: { result: JobResult } | { err: Error }): void {
    const { fileId } = job.data;
    const fileName = 'result' in outcome ? outcome.result.fileName : null;
    const status = 'result' in outcome ? outcome.result.status : outcome.err instanceof ForeignJob ? 'refused' : 'failed';
    r.self.lastJob = { fileId, fileName, status, ms, at: new Date().toISOString() };
    const file = `file ${fileId}${fileName === null ? '' : ` "${fileName}"`}`;
    if ('result' in outcome) {
      const result = outcome.result;
      r.minute.done++;
      if (result.status !== 'skipped') r.self.bundle = result.bundle;
      strapi.log.info(`altbridge: ${file}: ${status} in ${ms} ms${result.status === 'skipped' ? ` (${result.skipped})` : ''}`);
    } else {
      r.minute.failed++;
      const attempts = job.opts.attempts ?? 1;
      const retried = !(outcome.err instanceof UnrecoverableError) && job.attemptsMade + 1 < attempts;
      strapi.log.warn(`altbridge: ${file}: ${status} in ${ms} ms${retried ? ` (attempt ${job.attemptsMade + 1} of ${attempts}, will retry)` : ''}: ${outcome.err.message}`);
    }
    void beat(r);
  }

  async function summary(r: Running): Promise<void> {
    const { done, failed } = r.minute;
    r.minute = { done: 0, failed: 0 };
    const waiting = await getService(strapi, 'queue').queue().count();
    if (done + failed + waiting > 0) strapi.log.info(`altbridge: last minute: ${done} job(s) done, ${failed} failed; ${waiting} waiting`);
  }

  return {
    /** mode: who started it (Strapi's bootstrap, or `npx altbridge worker`), as its heartbeat reports. */
    start(mode: WorkerMode): void {
      if (running) return;
      const c = pluginConfig(strapi);
      const engine = new CaptionEngine();
      const options = { connection: redisConnection(c.redisUrl), prefix: c.queuePrefix, lockDuration: c.lockDurationMs, stalledInterval: c.lockDurationMs };
      const caption = jobProcessor(strapi, engine);
      const processor = async (job: Job<CaptionJob>): Promise<JobResult> => {
        const started = Date.now();
        try {
          const result = await caption(job);
          ended(r, job, Date.now() - started, { result });
          return result;
        } catch (err) {
          ended(r, job, Date.now() - started, { err: err as Error });
          throw err;
        }
      };
      const worker = new Worker<CaptionJob, JobResult>(c.queueName, processor, { ...options, concurrency: c.concurrency });
      const previews = new Worker<PreviewJob, PreviewRow[]>(previewQueueName(c), previewProcessor(strapi, engine), options);
      // Without a listener an 'error' event (e.g. Redis gone) would crash the process.
      worker.on('error', (err) => strapi.log.error(`altbridge: worker: ${err.message}`));
      previews.on('error', (err) => strapi.log.error(`altbridge: preview worker: ${err.message}`));
      const startedAt = new Date().toISOString();
      const self: WorkerInfo = {
        id: `${os.hostname()}-${process.pid}-${Date.parse(startedAt)}`,
        host: os.hostname(),
        pid: process.pid,
        mode,
        bundle: null,
        concurrency: c.concurrency,
        startedAt,
        seenAt: startedAt,
        lastJob: null,
      };
      const r: Running = { worker, previews, engine, timers: [], offReady: () => undefined, self, minute: { done: 0, failed: 0 } };
      r.timers = [
        setInterval(() => void reconcile(), c.reconcileMs),
        setInterval(() => void getService(strapi, 'backfill').tick(), c.backfillTickMs),
        setInterval(() => void beat(r), HEARTBEAT_MS),
        setInterval(() => void summary(r).catch((err: Error) => strapi.log.error(`altbridge: worker summary: ${err.message}`)), SUMMARY_MS),
      ];
      let offReady = () => undefined as void;
      // ioredis emits 'ready' on every (re)connection: after a Redis restart, rebuild what it lost.
      void getService(strapi, 'queue')
        .queue()
        .client.then((client) => {
          const onReady = () => void reconcile();
          client.on('ready', onReady);
          offReady = () => void client.off('ready', onReady);
        })
        .catch(() => undefined);
      r.offReady = () => offReady();
      running = r;
      void beat(r);
      void reconcile();
      strapi.log.info(`altbridge: caption worker consuming "${c.queueName}" with concurrency ${c.concurrency} (${mode})`);
    },

    /** Lets the jobs in hand finish, then frees the models and takes its heartbeat away. */
    async stop(): Promise<void> {
      if (!running) return;
      const { worker, previews, engine, timers, offReady, self } = running;
      running = null;
      for (const t of timers) clearInterval(t);
      offReady();
      await reconciling;
      await getService(strapi, 'backfill').settle();
      await Promise.all([worker.close(), previews.close()]);
      await engine.close();
      await beating;
      await getService(strapi, 'workers').remove(self.id);
    },

    isRunning: () => running !== null,
  };
};
