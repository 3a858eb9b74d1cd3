/**
 * The settings page's live preview: one image captioned at several bridging depths M with the
 * current settings otherwise, so an admin sees what M does before saving it. Runs on its own
 * engine, beside the queue's, and never stores anything.
 */
import type { Core } from '@strapi/strapi';
import { CaptionEngine } from '../../../worker/engine';
import { Preview, PREVIEW_LIMITS, PreviewRow, SETTINGS_LIMITS } from '../contracts';
import { InvalidInput, NotFound } from '../errors';
import { ROW_ID, schedule, whole } from '../input';
import { readUpload } from '../read-upload';
import { FILE_UID, getService, isImage, UploadFile } from '../utils';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let engine: CaptionEngine | null = null;

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
      const s = await getService(strapi, 'settings').get();
      const data = await readUpload(file.url, strapi.dirs.static.public);
      engine ??= new CaptionEngine();
      const rows: PreviewRow[] = [];
      for (const m of ms) {
        const { steps } = schedule(m, undefined, s.steps);
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
