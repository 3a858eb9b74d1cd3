/**
 * One caption job: the file's row and bytes from Strapi, the caption from the engine, the result
 * stored. An unreadable image, or an engine run past the job time limit (jobTimeoutMs), fails at
 * once (the same image would do the same again) with the reason on the caption row; other errors
 * are retried by the queue and recorded on the row at the last attempt.
 * The file row read here only says what to caption: whether the caption may go on the file is
 * decided again when it is stored (captions.storeResult), as an editor may have written meanwhile.
 */
import type { Core } from '@strapi/strapi';
import { Job, UnrecoverableError } from 'bullmq';
import { CaptionEngine, RunTimeout, UnreadableImageError } from '../../../worker/engine';
import { bridgingSchedule } from '../../../worker/diffusion';
import type { CaptionJob } from '../contracts';
import { readUpload } from '../read-upload';
import { getService, isImage, pluginConfig } from '../utils';

export function jobProcessor(strapi: Core.Strapi, engine: Pick<CaptionEngine, 'caption'>) {
  return async (job: Job<CaptionJob>): Promise<{ caption?: string; skipped?: string }> => {
    const captions = getService(strapi, 'captions');
    const file = await captions.findFile(job.data.fileId);
    if (!file) return { skipped: 'file deleted' };
    if (!isImage(file.mime)) return { skipped: `not an image (${file.mime})` };
    const s = await getService(strapi, 'settings').get();
    const { m, steps } = bridgingSchedule(job.data.m ?? s.m, job.data.steps, s.steps);
    try {
      const data = await readUpload(file.url, strapi.dirs.static.public, { allowHosts: pluginConfig(strapi).remoteHosts });
      const result = await engine.caption(file.name, data, { bundle: s.bundle, m, steps, beam: s.beam, maxTokens: s.maxTokens ?? undefined }, { timeoutMs: pluginConfig(strapi).jobTimeoutMs });
      const stored = await captions.storeResult(file.id, result, s.beam);
      return 'skipped' in stored ? stored : { caption: result.caption };
    } catch (err) {
      const reason = (err as Error).message;
      const final = err instanceof UnreadableImageError ? 'unreadable image' : err instanceof RunTimeout ? 'timed out' : null;
      if (final || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await captions.storeFailure(file, reason);
      throw final ? new UnrecoverableError(`${final}: ${reason}`) : err;
    }
  };
}
