/**
 * The settings page's live preview: one image captioned at several bridging depths M with the
 * current settings otherwise, so an admin sees what M does before saving it. Runs on its own
 * engine, beside the queue's, and never stores anything.
 */
import type { Core } from '@strapi/strapi';
import { CaptionEngine } from '../../../worker/engine';
import { readUpload } from '../read-upload';
import { bridgingSchedule } from '../../../worker/diffusion';
import { InvalidInput, NotFound } from '../errors';
import { isImage } from '../upload-hook';
import { getService } from '.';

const MAX_DEPTHS = 8;

export interface PreviewRow {
  m: number;
  steps: number;
  caption: string;
  confidence: number;
  ms: number;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let engine: CaptionEngine | null = null;

  /** The file asked for, else the newest image in the Media Library. */
  async function sample(fileId: unknown): Promise<{ id: number; name: string; url: string; mime: string }> {
    const files = strapi.db.query('plugin::upload.file');
    if (fileId !== undefined && fileId !== null && fileId !== '') {
      const file = await files.findOne({ where: { id: Number(fileId) } });
      if (!file) throw new NotFound(`no file ${fileId}`);
      if (!isImage(file.mime)) throw new InvalidInput(`file ${fileId} is not an image (${file.mime})`);
      return file;
    }
    const [newest] = await files.findMany({ where: { mime: { $startsWith: 'image/' } }, orderBy: { id: 'desc' }, limit: 1 });
    if (!newest) throw new NotFound('the Media Library has no image to preview on yet');
    return newest;
  }

  return {
    async run(input: { m?: unknown; fileId?: unknown }): Promise<{ file: { id: number; name: string; url: string }; rows: PreviewRow[] }> {
      const depths = Array.isArray(input.m) ? input.m : [0, 200, 400, 600, 800];
      if (depths.length === 0 || depths.length > MAX_DEPTHS || !depths.every((m) => Number.isInteger(m) && m >= 0 && m <= 1000)) {
        throw new InvalidInput(`m must be a list of 1 to ${MAX_DEPTHS} whole numbers in 0..1000`);
      }
      const file = await sample(input.fileId);
      const s = await getService(strapi, 'settings').get();
      const data = await readUpload(file.url, strapi.dirs.static.public);
      engine ??= new CaptionEngine();
      const rows: PreviewRow[] = [];
      for (const m of depths as number[]) {
        const { steps } = bridgingSchedule(m, undefined, s.steps);
        const started = Date.now();
        const r = await engine.caption(file.name, data, { bundle: s.bundle, m, steps, beam: s.beam, maxTokens: s.maxTokens ?? undefined });
        rows.push({ m, steps, caption: r.caption, confidence: r.confidence, ms: Date.now() - started });
      }
      return { file: { id: file.id, name: file.name, url: file.url }, rows };
    },

    async close(): Promise<void> {
      await engine?.close();
      engine = null;
    },
  };
};
