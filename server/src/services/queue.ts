/**
 * The Redis queue of caption jobs (BullMQ). Uploads add to it without waiting for anything but
 * Redis; retries back off exponentially; failed jobs stay in Redis as the dead-letter list.
 */
import type { Core } from '@strapi/strapi';
import { JobsOptions, Queue } from 'bullmq';
import { appIdOf } from '../app-identity';
import type { CaptionJob, FailedJob, RegenerateInput } from '../contracts';
import { Conflict, NotFound } from '../errors';
import { redisConnection } from '../redis';
import { fileJobId, getService, isImage, pluginConfig, recoverJobId, regenerateJobId } from '../utils';

/** States in which a job will still be processed. */
const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => pluginConfig(strapi);
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

    /** One job per version of a file's content (fileJobId): the same event seen twice adds one job. */
    async enqueueFile(file: { id: number; updatedAt?: string | Date | null }, batch?: string): Promise<string> {
      const job = await get().add('caption', { app: appIdOf(strapi), fileId: file.id, ...(batch ? { batch } : {}) }, jobOptions(fileJobId(file)));
      return job.id!;
    },

    /** Files with a job of this app's that will still run (another app's job for the same id is refused). */
    async pendingFileIds(): Promise<Set<number>> {
      const app = appIdOf(strapi);
      const jobs = await get().getJobs([...PENDING]);
      return new Set(jobs.filter((j) => j?.data.app === app).map((j) => j.data.fileId));
    },

    /** Jobs of a backfill run that have not started, taken off the queue; returns their file ids. */
    async withdrawBatch(batch: string): Promise<number[]> {
      const jobs = await get().getJobs(['waiting', 'delayed', 'prioritized', 'paused']);
      const ids: number[] = [];
      for (const j of jobs) {
        if (j?.data.batch !== batch) continue;
        try {
          await j.remove();
          ids.push(j.data.fileId);
        } catch {
          // Taken by a worker meanwhile: it finishes.
        }
      }
      return ids;
    },

    /**
     * PostgreSQL is the record of what is queued: a caption row is 'queued' before its job goes to
     * Redis. Rows still queued (past a grace period) with no pending job lost it, e.g. to a Redis
     * restart without persistence, and are queued again. The job id is the file version's, so a
     * late add of the original job and this one make one job; a version whose job already ran (a
     * lost regenerate) gets a fresh id. Returns the number re-queued.
     */
    async reconcile(): Promise<number> {
      const c = config();
      const cutoff = new Date(Date.now() - c.reconcileGraceMs);
      const pending = await this.pendingFileIds();
      const captions = getService(strapi, 'captions');
      let requeued = 0;
      for (const row of await captions.queuedRows(cutoff)) {
        if (pending.has(row.fileId)) continue;
        const file = await captions.findFile(row.fileId);
        if (!file) {
          await captions.storeFailure({ id: row.fileId, name: row.fileName ?? '' } as never, 'the file was deleted before it was captioned');
          continue;
        }
        if (!isImage(file.mime)) {
          // The worker skips non-images without touching the row: fail it here rather than loop.
          await captions.storeFailure(file, `not an image (${file.mime})`);
          continue;
        }
        const id = fileJobId(file);
        const data: CaptionJob = { app: appIdOf(strapi), fileId: file.id, ...(row.batch ? { batch: row.batch } : {}) };
        await get().add('caption', data, jobOptions((await get().getJob(id)) ? recoverJobId(file.id) : id));
        requeued++;
      }
      if (requeued) strapi.log.warn(`altbridge: re-queued ${requeued} caption job(s) that were in PostgreSQL but not in Redis`);
      return requeued;
    },

    /**
     * An editor's request, one per file at a time: while a regenerate of the file is pending (Redis
     * deduplicates on the file atomically), the same request again answers that job's id, and one
     * at other M / S is refused, rather than queueing caption runs nobody waits for.
     */
    async enqueueRegenerate(fileId: number, overrides: RegenerateInput): Promise<string> {
      const id = regenerateJobId(fileId);
      const added = await get().add('caption', { app: appIdOf(strapi), fileId, ...overrides }, { ...jobOptions(id), deduplication: { id: `regen-${fileId}` } });
      if (added.id === id) return id;
      const pending = await get().getJob(added.id!);
      if (pending && pending.data.m === overrides.m && pending.data.steps === overrides.steps) return pending.id!;
      throw new Conflict(`file ${fileId} already has a regenerate pending (job ${added.id}) at other M / S: wait for it to finish`);
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
