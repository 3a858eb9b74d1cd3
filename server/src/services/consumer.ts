/**
 * The queue consumer, started by bootstrap (worker: 'inline') or by `npx altbridge worker` in its
 * own process: caption jobs, and the settings preview's jobs on a queue of their own (one at a
 * time; a preview waits for the caption runs in hand, not for the backlog), both on one engine.
 * BullMQ's stalled-job check requeues a job whose worker died (its lock expired).
 * The consuming process also runs the reconciler (jobs Redis lost are queued again from the caption
 * rows: at start, whenever the queue's Redis connection is ready again, and every reconcileMs) and
 * the backfill feeder.
 */
import type { Core } from '@strapi/strapi';
import { Worker } from 'bullmq';
import { CaptionEngine } from '../../../worker/engine';
import { previewQueueName } from '../config';
import { previewProcessor } from '../consumer/preview-job';
import { jobProcessor } from '../consumer/process-job';
import type { CaptionJob, PreviewJob, PreviewRow } from '../contracts';
import { redisConnection } from '../redis';
import { getService, pluginConfig } from '../utils';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let running: { worker: Worker<CaptionJob>; previews: Worker<PreviewJob, PreviewRow[]>; engine: CaptionEngine; timers: NodeJS.Timeout[]; offReady: () => void } | null = null;
  let reconciling: Promise<unknown> | null = null;

  function reconcile(): Promise<unknown> {
    reconciling ??= getService(strapi, 'queue')
      .reconcile()
      .catch((err: Error) => strapi.log.error(`altbridge: reconcile: ${err.message}`))
      .finally(() => (reconciling = null));
    return reconciling;
  }

  return {
    start(): void {
      if (running) return;
      const c = pluginConfig(strapi);
      const engine = new CaptionEngine();
      const options = { connection: redisConnection(c.redisUrl), prefix: c.queuePrefix, lockDuration: c.lockDurationMs, stalledInterval: c.lockDurationMs };
      const worker = new Worker<CaptionJob>(c.queueName, jobProcessor(strapi, engine), { ...options, concurrency: c.concurrency });
      const previews = new Worker<PreviewJob, PreviewRow[]>(previewQueueName(c), previewProcessor(strapi, engine), options);
      worker.on('failed', (job, err) => strapi.log.warn(`altbridge: job ${job?.id} (file ${job?.data.fileId}) failed: ${err.message}`));
      // Without a listener an 'error' event (e.g. Redis gone) would crash the process.
      worker.on('error', (err) => strapi.log.error(`altbridge: worker: ${err.message}`));
      previews.on('error', (err) => strapi.log.error(`altbridge: preview worker: ${err.message}`));
      const timers = [setInterval(() => void reconcile(), c.reconcileMs), setInterval(() => void getService(strapi, 'backfill').tick(), c.backfillTickMs)];
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
      running = { worker, previews, engine, timers, offReady: () => offReady() };
      void reconcile();
      strapi.log.info(`altbridge: caption worker consuming "${c.queueName}" with concurrency ${c.concurrency}`);
    },

    /** Lets the jobs in hand finish, then frees the models. */
    async stop(): Promise<void> {
      if (!running) return;
      const { worker, previews, engine, timers, offReady } = running;
      running = null;
      for (const t of timers) clearInterval(t);
      offReady();
      await reconciling;
      await getService(strapi, 'backfill').settle();
      await Promise.all([worker.close(), previews.close()]);
      await engine.close();
    },

    isRunning: () => running !== null,
  };
};
