/**
 * The Redis queue of caption jobs (BullMQ). Uploads add to it without waiting for anything but
 * Redis; retries back off exponentially; failed jobs stay in Redis as the dead-letter list.
 */
import type { Core } from '@strapi/strapi';
import { JobsOptions, Queue } from 'bullmq';
import type { AltbridgeConfig } from '../config';
import { NotFound } from '../errors';
import { redisConnection } from '../redis';

export interface CaptionJob {
  fileId: number;
  /** Overrides of the settings, from a regenerate request. */
  m?: number;
  steps?: number;
}

export interface FailedJob {
  id: string;
  fileId: number;
  reason: string;
  attemptsMade: number;
  failedAt: string | null;
  data: CaptionJob;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get('plugin::altbridge') as AltbridgeConfig;
  let queue: Queue<CaptionJob> | null = null;

  function get(): Queue<CaptionJob> {
    const c = config();
    queue ??= new Queue<CaptionJob>(c.queueName, { connection: redisConnection(c.redisUrl), prefix: c.queuePrefix });
    return queue;
  }

  function jobOptions(jobId: string): JobsOptions {
    const c = config();
    return {
      jobId,
      attempts: c.attempts,
      backoff: { type: 'exponential', delay: c.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    };
  }

  return {
    queue: get,

    /**
     * One job per version of a file's content. Strapi's replace keeps the file's hash (its URL
     * stays), so the version is the row's updatedAt; the same event seen twice adds one job.
     */
    async enqueueFile(file: { id: number; updatedAt?: string | Date | null }): Promise<void> {
      const version = file.updatedAt ? new Date(file.updatedAt).getTime() : 0;
      await get().add('caption', { fileId: file.id }, jobOptions(`file-${file.id}-${version}`));
    },

    /** An editor's request: never deduplicated against earlier jobs. */
    async enqueueRegenerate(fileId: number, overrides: { m?: number; steps?: number }): Promise<string> {
      const job = await get().add('caption', { fileId, ...overrides }, jobOptions(`regen-${fileId}-${Date.now()}`));
      return job.id!;
    },

    async failed(start: number, end: number): Promise<{ total: number; jobs: FailedJob[] }> {
      const [total, jobs] = await Promise.all([get().getFailedCount(), get().getFailed(start, end)]);
      return {
        total,
        jobs: jobs.map((j) => ({
          id: j.id!,
          fileId: j.data.fileId,
          reason: j.failedReason,
          attemptsMade: j.attemptsMade,
          failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
          data: j.data,
        })),
      };
    },

    async retry(id: string): Promise<void> {
      const job = await get().getJob(id);
      if (!job || !(await job.isFailed())) throw new NotFound(`no failed job ${id}`);
      await job.retry('failed');
    },

    async close(): Promise<void> {
      await queue?.close();
      queue = null;
    },
  };
};
