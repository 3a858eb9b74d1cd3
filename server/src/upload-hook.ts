/**
 * Enqueues a caption job when an image enters the Media Library: created (upload, or a row created
 * by any API) or replaced (same row, new content). The upload never waits: the enqueue runs after
 * the lifecycle returns, and a short Redis outage only delays it (ioredis queues the command while it
 * reconnects; a failure is logged). The caption row is marked 'queued' in PostgreSQL first, so a job
 * Redis never got or lost is queued again by the reconciler (services/queue.ts).
 */
import type { Core } from '@strapi/strapi';
import { FILE_UID, getService, isImage, UploadFile } from './utils';

/** A replace writes the new content's fields; updateFileInfo (alt text, name, folder) does not. */
const isReplace = (data: Record<string, unknown> | undefined) => !!data && ('sizeInBytes' in data || 'mime' in data);

export function subscribeUploads(strapi: Core.Strapi): void {
  const onFile = (file: UploadFile) => {
    if (!isImage(file.mime)) return;
    void (async () => {
      if (!(await getService(strapi, 'settings').get()).autoCaption) return;
      // A decorative image replaced keeps its mark: its alt text stays empty on purpose.
      if (await getService(strapi, 'decorative').has(file.id)) return;
      // The row first: if Redis loses the job, the reconciler finds the row and queues it again.
      await getService(strapi, 'captions').markQueued(file);
      await getService(strapi, 'queue').enqueueFile(file);
    })().catch((err: Error) => strapi.log.error(`altbridge: could not queue file ${file.id} for captioning: ${err.message}`));
  };
  strapi.db.lifecycles.subscribe({
    models: [FILE_UID],
    afterCreate: (event) => onFile(event.result as UploadFile),
    afterUpdate: (event) => {
      if (isReplace(event.params.data as Record<string, unknown>)) onFile(event.result as UploadFile);
    },
  });
}
