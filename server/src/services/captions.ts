/**
 * Caption rows and the file's alternativeText. The rule: the plugin's own machine text may replace
 * alternativeText only when it is empty or is the text the plugin itself last wrote there
 * (`machineAlt`); an editor's edit or approval writes through always, because a person chose it.
 * Writes go through the upload service so the Media Library shows what the plugin wrote.
 */
import type { Core, UID } from '@strapi/strapi';
import type { CaptionResult } from '../../../worker/caption';
import { CAPTION_UID } from '../content-types/caption';
import { Caption, CAPTION_MAX_TEXT, CAPTION_STATUSES, CaptionList, CaptionStatus, HistoryEntry, RegenerateInput, SETTINGS_LIMITS } from '../contracts';
import { InvalidInput, NotFound } from '../errors';
import { optionalWhole, schedule } from '../input';
import { AdminUser, FILE_UID, getService, nameOf, UploadFile } from '../utils';

/** A caption row as stored: the API's caption without its file, plus the bookkeeping field. */
export interface CaptionRow extends Omit<Caption, 'altTextFromPlugin' | 'file'> {
  /** The alternativeText the plugin itself last wrote on the file: the only text it may replace. */
  machineAlt: string | null;
}

export interface ListQuery {
  status?: CaptionStatus;
  /** Only captions with a confidence below this (mean token log-probability, so negative). */
  maxConfidence?: number;
  /** Only files whose alternativeText is empty. */
  missingAlt?: boolean;
  page: number;
  pageSize: number;
}

const isEmptyAlt = (s: string | null | undefined) => !s || !s.trim();

/** The row's current text as a history entry, when it has one. */
function withHistory(row: CaptionRow | null, by: string): HistoryEntry[] {
  const history = row?.history ?? [];
  if (!row?.text) return history;
  return [...history, { text: row.text, status: row.status, source: row.source ?? 'machine', by, at: new Date().toISOString(), m: row.m, bundle: row.bundle }];
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  // The uid is not in a generated type registry (the plugin ships none), hence the cast.
  const docs = () => strapi.documents(CAPTION_UID as UID.ContentType);
  const files = () => strapi.db.query(FILE_UID);

  const findFile = async (id: number) => (await files().findOne({ where: { id } })) as UploadFile | null;
  const byFile = async (fileId: number) => (await docs().findFirst({ filters: { fileId } as never })) as unknown as CaptionRow | null;

  async function byDocument(documentId: string): Promise<CaptionRow> {
    const row = (await docs().findOne({ documentId })) as unknown as CaptionRow | null;
    if (!row) throw new NotFound(`no caption ${documentId}`);
    return row;
  }

  async function save(row: CaptionRow | null, data: Partial<CaptionRow>): Promise<CaptionRow> {
    const saved = row ? await docs().update({ documentId: row.documentId, data: data as never }) : await docs().create({ data: data as never });
    return saved as unknown as CaptionRow;
  }

  async function writeAlt(fileId: number, text: string, user?: AdminUser): Promise<void> {
    await strapi.plugin('upload').service('upload').updateFileInfo(fileId, { alternativeText: text }, user ? { user } : undefined);
  }

  /** A row as the admin API shows it: with its file, without the bookkeeping field. */
  function present(row: CaptionRow, file: UploadFile | null): Caption {
    const { machineAlt, ...rest } = row;
    return {
      ...rest,
      altTextFromPlugin: !!file && !isEmptyAlt(file.alternativeText) && file.alternativeText === machineAlt,
      file: file && { id: file.id, name: file.name, url: file.url, mime: file.mime, alternativeText: file.alternativeText, thumbnailUrl: file.formats?.thumbnail?.url ?? file.url },
    };
  }

  /** An editor's decision: the text goes to the file whatever was there; the plugin no longer owns it. */
  async function review(row: CaptionRow, text: string, status: 'approved' | 'edited', user: AdminUser): Promise<Caption> {
    const file = await findFile(row.fileId);
    if (!file) throw new NotFound(`file ${row.fileId} of caption ${row.documentId} no longer exists`);
    await writeAlt(file.id, text, user);
    const changed = text !== row.text;
    const saved = await save(row, {
      text,
      status,
      source: changed ? 'human' : row.source,
      history: changed ? withHistory(row, nameOf(user)) : row.history,
      machineAlt: null,
      reviewedBy: nameOf(user),
      reviewedById: user.id,
      reviewedAt: new Date().toISOString(),
    });
    return present(saved, await findFile(file.id));
  }

  return {
    findFile,

    /** The worker's result for a file; writes alternativeText only where the rule allows. */
    async storeResult(file: UploadFile, result: CaptionResult, beam: number): Promise<CaptionRow> {
      const row = await byFile(file.id);
      const ours = !isEmptyAlt(file.alternativeText) && !!row?.machineAlt && file.alternativeText === row.machineAlt;
      const mayWrite = isEmptyAlt(file.alternativeText) || ours;
      if (mayWrite) await writeAlt(file.id, result.caption);
      return save(row, {
        fileId: file.id,
        fileName: file.name,
        text: result.caption,
        status: 'suggested',
        source: 'machine',
        confidence: result.confidence,
        bundle: result.bundle,
        bundleVersion: result.version,
        m: result.m,
        steps: result.steps,
        beam,
        timings: { ...result.timings },
        error: null,
        // A retried job (its worker died after storing) gives the same text again: no new history entry.
        history: row?.text === result.caption ? (row.history ?? []) : withHistory(row, 'altbridge'),
        machineAlt: mayWrite ? result.caption : (row?.machineAlt ?? null),
        reviewedBy: null,
        reviewedById: null,
        reviewedAt: null,
      });
    },

    /** A job that failed for good: the reason is kept on the row; any earlier text stays. */
    async storeFailure(file: UploadFile, error: string): Promise<void> {
      await save(await byFile(file.id), { fileId: file.id, fileName: file.name, status: 'failed', error });
    },

    /**
     * The row says 'queued' before its job goes to Redis: PostgreSQL is the record the reconciler
     * rebuilds lost jobs from. Creates the row for a file seen for the first time; `batch` tags it
     * with a backfill run.
     */
    async markQueued(file: { id: number; name?: string | null }, batch?: string): Promise<CaptionRow> {
      const row = await byFile(file.id);
      const data: Partial<CaptionRow> = { status: 'queued', error: null, ...(batch ? { batch } : {}) };
      if (row) return save(row, data);
      try {
        return await save(null, { fileId: file.id, fileName: file.name ?? null, source: 'machine', history: [], ...data });
      } catch (err) {
        // Another event for the same file created the row first (unique index on file_id).
        const now = await byFile(file.id);
        if (!now) throw err;
        return save(now, data);
      }
    },

    /** Rows still 'queued' last written before `before`, oldest first. */
    async queuedRows(before: Date, limit = 1000): Promise<CaptionRow[]> {
      return (await strapi.db.query(CAPTION_UID as UID.Schema).findMany({
        where: { status: 'queued', updatedAt: { $lt: before } },
        orderBy: { updatedAt: 'asc' },
        limit,
      })) as CaptionRow[];
    },

    async list(q: ListQuery): Promise<CaptionList> {
      const filters: Record<string, unknown> = {};
      if (q.status) {
        if (!CAPTION_STATUSES.includes(q.status)) throw new InvalidInput(`status must be one of ${CAPTION_STATUSES.join(', ')}`);
        filters.status = q.status;
      }
      if (q.maxConfidence !== undefined) filters.confidence = { $lt: q.maxConfidence };
      if (q.missingAlt) {
        const bare = await files().findMany({ where: { $or: [{ alternativeText: null }, { alternativeText: '' }] }, select: ['id'] });
        filters.fileId = { $in: bare.map((f: { id: number }) => f.id) };
      }
      const [rows, total] = await Promise.all([
        docs().findMany({ filters: filters as never, sort: 'updatedAt:desc', start: (q.page - 1) * q.pageSize, limit: q.pageSize }),
        docs().count({ filters: filters as never }),
      ]);
      const captions = rows as unknown as CaptionRow[];
      const fileRows = (await files().findMany({ where: { id: { $in: captions.map((r) => r.fileId) } } })) as UploadFile[];
      const fileById = new Map(fileRows.map((f) => [f.id, f]));
      return {
        results: captions.map((r) => present(r, fileById.get(r.fileId) ?? null)),
        pagination: { page: q.page, pageSize: q.pageSize, total, pageCount: Math.ceil(total / q.pageSize) },
      };
    },

    async get(documentId: string): Promise<Caption> {
      const row = await byDocument(documentId);
      return present(row, await findFile(row.fileId));
    },

    async edit(documentId: string, text: unknown, user: AdminUser): Promise<Caption> {
      if (typeof text !== 'string' || text.length > CAPTION_MAX_TEXT) throw new InvalidInput(`text must be a string of at most ${CAPTION_MAX_TEXT} characters`);
      return review(await byDocument(documentId), text.trim(), 'edited', user);
    },

    async approve(documentId: string, user: AdminUser): Promise<Caption> {
      const row = await byDocument(documentId);
      if (!row.text) throw new InvalidInput(`caption ${documentId} has no text to approve (status ${row.status})`);
      return review(row, row.text, 'approved', user);
    },

    async bulkApprove(documentIds: unknown, user: AdminUser): Promise<Caption[]> {
      if (!Array.isArray(documentIds) || !documentIds.every((d) => typeof d === 'string')) throw new InvalidInput('ids must be an array of caption documentIds');
      const approved = [];
      for (const id of documentIds) approved.push(await this.approve(id, user));
      return approved;
    },

    /** A wrong machine caption is taken off the file too (no description beats a wrong one); human text stays. */
    async reject(documentId: string, user: AdminUser): Promise<Caption> {
      const row = await byDocument(documentId);
      const file = await findFile(row.fileId);
      if (file && row.machineAlt && file.alternativeText === row.machineAlt) await writeAlt(file.id, '', user);
      const saved = await save(row, { status: 'rejected', machineAlt: null, reviewedBy: nameOf(user), reviewedById: user.id, reviewedAt: new Date().toISOString() });
      return present(saved, file && (await findFile(file.id)));
    },

    /**
     * Queues a new caption for the file, optionally at another M / step count (checked by the
     * engine's bridging schedule against the current settings); the row records what was used.
     * One regenerate per file is pending at a time: asking again answers the pending job's id, or
     * 409 when it asks for other M / S (queue.enqueueRegenerate).
     */
    async regenerate(documentId: string, input: Record<string, unknown>): Promise<{ jobId: string }> {
      const row = await byDocument(documentId);
      const overrides: RegenerateInput = {
        m: optionalWhole('m', input.m, SETTINGS_LIMITS.m),
        steps: optionalWhole('steps', input.steps, SETTINGS_LIMITS.steps),
      };
      if (overrides.m !== undefined || overrides.steps !== undefined) {
        const s = await getService(strapi, 'settings').get();
        schedule(overrides.m ?? s.m, overrides.steps, s.steps);
      }
      // The row first: a fast worker must not find its result overwritten by 'queued'.
      await this.markQueued({ id: row.fileId, name: row.fileName });
      return { jobId: await getService(strapi, 'queue').enqueueRegenerate(row.fileId, overrides) };
    },
  };
};
