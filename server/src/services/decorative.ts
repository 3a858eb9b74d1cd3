/**
 * Decorative images: an editor's mark that an image adds nothing a reader needs, so its alt text is
 * empty on purpose (WCAG H67). The audit counts it compliant; the upload hook, the backfill and the
 * worker's write-through leave it alone. Unmarking deletes the mark, nothing else.
 */
import type { Core, UID } from '@strapi/strapi';
import { DECORATIVE_UID } from '../content-types/decorative';
import { DECORATIVE_MAX_REASON, DecorativeMark } from '../contracts';
import { InvalidInput, NotFound } from '../errors';
import { AdminUser, getService, nameOf } from '../utils';

interface Row {
  documentId: string;
  fileId: number;
  reason: string;
  markedBy: string | null;
  updatedAt: string;
}

const toMark = (r: Row): DecorativeMark => ({ reason: r.reason, markedBy: r.markedBy, markedAt: new Date(r.updatedAt).toISOString() });

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const docs = () => strapi.documents(DECORATIVE_UID as UID.ContentType);
  const byFile = async (fileId: number) => (await docs().findFirst({ filters: { fileId } as never })) as unknown as Row | null;

  return {
    has: async (fileId: number): Promise<boolean> => (await byFile(fileId)) !== null,

    async mark(fileId: number, reason: unknown, user: AdminUser): Promise<DecorativeMark> {
      const why = typeof reason === 'string' ? reason.trim() : '';
      if (!why) throw new InvalidInput('reason is required: say why the image adds nothing a reader needs');
      if (why.length > DECORATIVE_MAX_REASON) throw new InvalidInput(`reason may have at most ${DECORATIVE_MAX_REASON} characters`);
      return getService(strapi, 'captions').clearForDecorative(fileId, user, async () => {
        const data = { reason: why, markedBy: nameOf(user), markedById: user.id };
        const row = await byFile(fileId);
        const saved = row ? await docs().update({ documentId: row.documentId, data: data as never }) : await docs().create({ data: { fileId, ...data } as never });
        return toMark(saved as unknown as Row);
      });
    },

    async unmark(fileId: number): Promise<void> {
      const row = await byFile(fileId);
      if (!row) throw new NotFound(`image ${fileId} is not marked decorative`);
      await docs().delete({ documentId: row.documentId });
    },
  };
};
