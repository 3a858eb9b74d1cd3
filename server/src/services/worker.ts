/**
 * The queue consumer, started by bootstrap (worker: 'inline') or by `npx altbridge worker` in its
 * own process. BullMQ's stalled-job check requeues a job whose worker died (its lock expired).
 */
import type { Core } from '@strapi/strapi';
import { Worker } from 'bullmq';
import { CaptionEngine } from '../../../worker/queue/engine';
import type { AltbridgeConfig } from '../config';
import { redisConnection } from '../redis';
import { jobProcessor } from '../worker/process-job';
import type { CaptionJob } from './queue';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let running: { worker: Worker<CaptionJob>; engine: CaptionEngine } | null = null;

  return {
    start(): void {
      if (running) return;
      const c = strapi.config.get('plugin::altbridge') as AltbridgeConfig;
      const engine = new CaptionEngine();
      const worker = new Worker<CaptionJob>(c.queueName, jobProcessor(strapi, engine), {
        connection: redisConnection(c.redisUrl),
        prefix: c.queuePrefix,
        concurrency: c.concurrency,
        lockDuration: c.lockDurationMs,
        stalledInterval: c.lockDurationMs,
      });
      worker.on('failed', (job, err) => strapi.log.warn(`altbridge: job ${job?.id} (file ${job?.data.fileId}) failed: ${err.message}`));
      // Without a listener an 'error' event (e.g. Redis gone) would crash the process.
      worker.on('error', (err) => strapi.log.error(`altbridge: worker: ${err.message}`));
      running = { worker, engine };
      strapi.log.info(`altbridge: caption worker consuming "${c.queueName}" with concurrency ${c.concurrency}`);
    },

    /** Lets the jobs in hand finish, then frees the models. */
    async stop(): Promise<void> {
      if (!running) return;
      const { worker, engine } = running;
      running = null;
      await worker.close();
      await engine.close();
    },

    isRunning: () => running !== null,
  };
};
