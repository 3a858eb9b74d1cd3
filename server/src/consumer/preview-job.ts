/**
 * One settings-preview job, run by the caption worker on its engine: the file's image captioned at
 * each depth M asked for, with the current settings otherwise (S = min(settings' S, M)). Nothing is
 * stored; the rows are the job's result, which the waiting web request reads.
 */
import type { Core } from '@strapi/strapi';
import type { Job } from 'bullmq';
import { bridgingSchedule } from '../../../worker/diffusion';
import { CaptionEngine } from '../../../worker/engine';
import type { PreviewJob, PreviewRow } from '../contracts';
import { readUpload } from '../read-upload';
import { getService, pluginConfig } from '../utils';
import { refuseForeign } from './process-job';

export function previewProcessor(strapi: Core.Strapi, engine: CaptionEngine) {
  return async (job: Job<PreviewJob>): Promise<PreviewRow[]> => {
    refuseForeign(strapi, job);
    const file = await getService(strapi, 'captions').findFile(job.data.fileId);
    if (!file) throw new Error(`file ${job.data.fileId} no longer exists`);
    const s = await getService(strapi, 'settings').get();
    const data = await readUpload(file.url, strapi.dirs.static.public, { allowHosts: pluginConfig(strapi).remoteHosts });
    const rows: PreviewRow[] = [];
    for (const m of job.data.m) {
      const { steps } = bridgingSchedule(m, undefined, s.steps);
      const started = Date.now();
      const r = await engine.caption(file.name, data, { bundle: s.bundle, m, steps, beam: s.beam, maxTokens: s.maxTokens ?? undefined }, { timeoutMs: pluginConfig(strapi).jobTimeoutMs });
      rows.push({ m, steps, caption: r.caption, confidence: r.confidence, ms: Date.now() - started });
    }
    return rows;
  };
}
