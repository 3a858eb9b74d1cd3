/**
 * The settings page's live preview: one image captioned at several bridging depths M with the
 * current settings otherwise, so an admin sees what M does before saving it. The web process only
 * checks the request and waits: the caption worker runs it (a job on the preview queue, see
 * consumer/preview-job.ts), so Strapi never holds a second copy of the models. Nothing is stored.
 */
import type { Core } from '@strapi/strapi';
import { Queue, QueueEvents } from 'bullmq';
import { appIdOf } from '../app-identity';
import { previewQueueName } from '../config';
import { NO_WORKER_FIX, Preview, PREVIEW_LIMITS, PreviewJob, PreviewRow, SETTINGS_LIMITS } from '../contracts';
import { InvalidInput, NotFound } from '../errors';
import { ROW_ID, whole } from '../input';
import { redisConnection } from '../redis';
import { FILE_UID, isImage, pluginConfig, UploadFile } from '../utils';

/** No caption worker answered the preview in time (503). */
export class NoWorker extends Error {
  override name = 'NoWorker';
}

/** A preview's result is read once, by the request waiting on it; a minute covers a late reader. */
const KEEP = { age: 60 };

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let previews: { queue: Queue<PreviewJob, PreviewRow[]>; events: QueueEvents } | null = null;

  /** The preview queue and the events a request waits on, opened on the first preview. */
  function connect(): { queue: Queue<PreviewJob, PreviewRow[]>; events: QueueEvents } {
    if (!previews) {
      const c = pluginConfig(strapi);
      const options = { connection: redisConnection(c.redisUrl), prefix: c.queuePrefix };
      previews = { queue: new Queue<PreviewJob, PreviewRow[]>(previewQueueName(c), options), events: new QueueEvents(previewQueueName(c), options) };
    }
    return previews;
  }

  /** The file asked for, else the newest image in the Media Library. */
  async function sample(fileId: unknown): Promise<UploadFile> {
    const files = strapi.db.query(FILE_UID);
    if (fileId !== undefined && fileId !== null && fileId !== '') {
      const id = whole('fileId', fileId, ROW_ID);
      const file = (await files.findOne({ where: { id } })) as UploadFile | null;
      if (!file) throw new NotFound(`no file ${id}`);
      if (!isImage(file.mime)) throw new InvalidInput(`file ${id} is not an image (${file.mime})`);
      return file;
    }
    const [newest] = (await files.findMany({ where: { mime: { $startsWith: 'image/' } }, orderBy: { id: 'desc' }, limit: 1 })) as UploadFile[];
    if (!newest) throw new NotFound('the Media Library has no image to preview on yet');
    return newest;
  }

  return {
    async run(input: { m?: unknown; fileId?: unknown }): Promise<Preview> {
      const { maxDepths, depths: defaults } = PREVIEW_LIMITS;
      const depths = input.m === undefined ? defaults : input.m;
      if (!Array.isArray(depths) || depths.length === 0 || depths.length > maxDepths) throw new InvalidInput(`m must be a list of 1 to ${maxDepths} depths`);
      const ms = depths.map((m, i) => whole(`m[${i}]`, m, SETTINGS_LIMITS.m));
      const file = await sample(input.fileId);
      const waitMs = pluginConfig(strapi).previewTimeoutMs;
      const { queue, events } = connect();
      const job = await queue.add('preview', { app: appIdOf(strapi), fileId: file.id, m: ms }, { attempts: 1, removeOnComplete: KEEP, removeOnFail: KEEP });
      try {
        return { file: { id: file.id, name: file.name, url: file.url }, rows: await job.waitUntilFinished(events, waitMs) };
      } catch (err) {
        const state = await job.getState();
        if (state === 'failed') throw new Error(`preview of file ${file.id} failed: ${(err as Error).message}`);
        // Not taken: no worker should find it later. Taken: the worker finishes it, unread.
        await job.remove().catch(() => undefined);
        const s = waitMs / 1000;
        throw new NoWorker(state === 'active' ? `the caption worker did not finish the preview within ${s} s` : `no caption worker is running: none took the preview within ${s} s (${NO_WORKER_FIX})`);
      }
    },

    async close(): Promise<void> {
      await Promise.all([previews?.queue.close(), previews?.events.close()]);
      previews = null;
    },
  };
};
