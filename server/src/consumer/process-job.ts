/**
 * One caption job: the file's row and bytes from Strapi, the caption from the engine, the result
 * stored. An unreadable image, or an engine run past the job time limit (jobTimeoutMs), fails at
 * once (the same image would do the same again) with the reason on the caption row; other errors
 * are retried by the queue and recorded on the row at the last attempt.
 * The file row read here only says what to caption: whether the caption may go on the file is
 * decided again when it is stored (captions.storeResult), as an editor may have written meanwhile.
 * A job another app queued (two apps configured onto one queue) is refused before anything is read.
 */
import type { Core } from '@strapi/strapi';
import { Job, UnrecoverableError } from 'bullmq';
import { CaptionEngine, RunTimeout, UnreadableImageError } from '../../../worker/engine';
import { bridgingSchedule } from '../../../worker/diffusion';
import { appIdOf } from '../app-identity';
import { depthOf } from '../policy';
import type { CaptionJob, JobOutcome } from '../contracts';
import { readUpload } from '../read-upload';
import { getService, isImage, pluginConfig } from '../utils';

/** Another app's job on this app's queue: failed at once, before anything of this app's is read or written. */
export class ForeignJob extends UnrecoverableError {}

/** Refuses a job (caption or preview) that another app queued; only a shared queue name and prefix can bring one here. */
export function refuseForeign(strapi: Core.Strapi, job: Job<{ app?: string }>): void {
  const own = appIdOf(strapi);
  if (job.data.app === own) return;
  const c = pluginConfig(strapi);
  throw new ForeignJob(
    `another app's job: it belongs to app "${job.data.app ?? 'unknown'}", this worker serves "${own}"; apps sharing queue "${c.queueName}" under prefix "${c.queuePrefix}" must each have their own (leave queueName and queuePrefix to their defaults)`,
  );
}

/** What the job did, also its result in Redis. */
export type JobResult =
  | { status: Extract<JobOutcome, 'suggested' | 'needs-review'>; fileName: string; caption: string; bundle: string }
  | { status: 'skipped'; fileName: string | null; skipped: string };

export function jobProcessor(strapi: Core.Strapi, engine: Pick<CaptionEngine, 'caption'>) {
  return async (job: Job<CaptionJob>): Promise<JobResult> => {
    refuseForeign(strapi, job);
    const captions = getService(strapi, 'captions');
    const file = await captions.findFile(job.data.fileId);
    if (!file) return { status: 'skipped', fileName: null, skipped: 'file deleted' };
    if (!isImage(file.mime)) return { status: 'skipped', fileName: file.name, skipped: `not an image (${file.mime})` };
    const s = await getService(strapi, 'settings').get();
    const { m, steps } = bridgingSchedule(job.data.m ?? depthOf(s, getService(strapi, 'bundles').domainOf(s.bundle)), job.data.steps, s.steps);
    try {
      const data = await readUpload(file.url, strapi.dirs.static.public, { allowHosts: pluginConfig(strapi).remoteHosts });
      const result = await engine.caption(file.name, data, { bundle: s.bundle, m, steps, beam: s.beam, maxTokens: s.maxTokens ?? undefined }, { timeoutMs: pluginConfig(strapi).jobTimeoutMs });
      const stored = await captions.storeResult(file.id, result, s.beam);
      return 'skipped' in stored
        ? { status: 'skipped', fileName: file.name, skipped: stored.skipped }
        : { status: stored.row.status as 'suggested' | 'needs-review', fileName: file.name, caption: result.caption, bundle: `${result.bundle}@${result.version}` };
    } catch (err) {
      const reason = (err as Error).message;
      const final = err instanceof UnreadableImageError ? 'unreadable image' : err instanceof RunTimeout ? 'timed out' : null;
      if (final || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await captions.storeFailure(file, reason);
      throw final ? new UnrecoverableError(`${final}: ${reason}`) : err;
    }
  };
}
