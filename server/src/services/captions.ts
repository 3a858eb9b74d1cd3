/**
 * Caption rows and the file's alternativeText. The rule: the plugin's own machine text may replace
 * alternativeText only when it is empty or is the text the plugin itself last wrote there
 * (`machineAlt`); an editor's edit or approval writes through always, because a person chose it.
 * Writes go through the upload service so the Media Library shows what the plugin wrote.
 *
 * Every write of a file's alt text or caption row decides from the rows as they are at that moment,
 * in one transaction holding the file row's lock (SELECT … FOR UPDATE): an editor's save in the
 * Media Library (an UPDATE of that row) waits for the plugin's write or goes before it, and is then
 * what the plugin sees; never a copy read when a caption job started.
 */
import type { Core, UID } from '@strapi/strapi';
import type { CaptionResult } from '../../../worker/caption';
import { CAPTION_UID } from '../content-types/caption';
import { BULK_APPROVE_MAX, BulkApproval, BulkSkipReason, Caption, CAPTION_MAX_TEXT, CAPTION_STATUSES, CaptionList, CaptionStatus, HistoryEntry, RegenerateInput, SETTINGS_LIMITS } from '../contracts';
import { Conflict, InvalidInput, NotFound } from '../errors';
import { optionalWhole, schedule } from '../input';
import { depthOf, isLow, lowSql, reviewReason, thresholdOf } from '../policy';
import { AdminUser, FILE_UID, getService, isImage, nameOf, pluginConfig, UploadFile } from '../utils';

/** A caption row as stored: the API's caption without its file, plus the bookkeeping field. */
export interface CaptionRow extends Omit<Caption, 'altTextFromPlugin' | 'lowQuality' | 'file'> {
  /** The alternativeText the plugin itself last wrote on the file: the only text it may replace. */
  machineAlt: string | null;
}

export interface ListQuery {
  status?: CaptionStatus;
  /** Only captions with a confidence below this (mean token log-probability, so negative). */
  maxConfidence?: number;
  /** Only low-quality captions (policy.isLow with the thresholds in force). */
  low?: boolean;
  /** Only files whose alternativeText is empty. */
  missingAlt?: boolean;
  page: number;
  pageSize: number;
}

const isEmptyAlt = (s: string | null | undefined) => !s || !s.trim();

/** The file's alt text when a person wrote or chose it: neither empty, nor the plugin's own text, nor this caption's. */
const humanAlt = (file: UploadFile, row: CaptionRow): string | null =>
  isEmptyAlt(file.alternativeText) || file.alternativeText === row.machineAlt || file.alternativeText === row.text ? null : file.alternativeText!;

/** The thresholds isLow compares with. */
interface Thresholds {
  minQuality: number;
  lowConfidence: number;
}

/**
 * A person's decision. Queueing a job sets the row to 'queued', so a row in one of these states when
 * a job's result or failure arrives was reviewed after the job was queued: the decision stays.
 */
const REVIEWED: readonly CaptionStatus[] = ['approved', 'edited', 'rejected'];

/** What storeResult did: the row it stored, or why the result was dropped. */
export type StoreOutcome = { row: CaptionRow } | { skipped: string };

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
  const table = (uid: string) => strapi.db.metadata.get(uid as UID.Schema).tableName;

  /**
   * `work` in a transaction holding the file row's lock, given the file as it is now (null when it
   * was deleted). Strapi's queries inside it (the upload service's too) run in the transaction.
   * Nested calls (bulk approve) share the outer transaction; callers lock files in id order.
   */
  async function withFileLocked<T>(fileId: number, work: (file: UploadFile | null) => Promise<T>): Promise<T> {
    return await strapi.db.transaction(async ({ trx }) => {
      await trx(table(FILE_UID)).where({ id: fileId }).forUpdate().first('id');
      return work(await findFile(fileId));
    });
  }

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
    await strapi
      .plugin('upload')
      .service('upload')
      .updateFileInfo(fileId, { alternativeText: text }, user ? { user } : undefined);
  }

  async function thresholds(): Promise<Thresholds> {
    const s = await getService(strapi, 'settings').get();
    return { minQuality: thresholdOf(s, getService(strapi, 'bundles').domainOf(s.bundle)), lowConfidence: pluginConfig(strapi).lowConfidence };
  }

  /** A row as the admin API shows it: with its file, without the bookkeeping field. */
  function present(row: CaptionRow, file: UploadFile | null, t: Thresholds): Caption {
    const { machineAlt, ...rest } = row;
    return {
      ...rest,
      altTextFromPlugin: !!file && !isEmptyAlt(file.alternativeText) && file.alternativeText === machineAlt,
      lowQuality: isLow(row, t.minQuality, t.lowConfidence),
      file: file && { id: file.id, name: file.name, url: file.url, mime: file.mime, alternativeText: file.alternativeText, thumbnailUrl: file.formats?.thumbnail?.url ?? file.url },
    };
  }

  /**
   * An editor's decision on the row as it is now: the text (`textOf` the current row) goes to the
   * file whatever was there; the plugin no longer owns it.
   */
  async function review(documentId: string, status: 'approved' | 'edited', textOf: (row: CaptionRow) => string, user: AdminUser, replaceHumanText: boolean): Promise<Caption> {
    const { fileId } = await byDocument(documentId);
    const t = await thresholds();
    return withFileLocked(fileId, async (file) => {
      const row = await byDocument(documentId);
      if (!file) throw new NotFound(`file ${row.fileId} of caption ${row.documentId} no longer exists`);
      const human = humanAlt(file, row);
      const text = textOf(row);
      // An editor's own new words may replace a person's text; the machine's caption (approved, or
      // saved unchanged from the edit box) only once the editor saw what it replaces. Decided under
      // the lock: the text shown in the confirmation is the text replaced.
      if (human !== null && !replaceHumanText && text === row.text)
        throw new Conflict(`the alt text of file ${file.id} was written by a person: "${human}"; approve with replaceHumanText: true to replace it`, { alternativeText: human });
      // Empty on purpose: a caption is kept for review, but reaches the file only once the mark is taken off.
      if (await getService(strapi, 'decorative').has(file.id))
        throw new Conflict(`image ${file.id} is marked decorative (its alt text is empty on purpose); unmark it in the accessibility audit to give it alt text`, { decorative: true });
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
      return present(saved, await findFile(file.id), t);
    });
  }

  const approvable = (row: CaptionRow): string => {
    if (!row.text) throw new InvalidInput(`caption ${row.documentId} has no text to approve (status ${row.status})`);
    return row.text;
  };

  return {
    findFile,

    /**
     * The worker's result for a file. Whether it may go on the file is decided from the file and row
     * as they are now, under the file's lock; a row reviewed since its job was queued is left as the
     * person left it and the result dropped.
     */
    async storeResult(fileId: number, result: CaptionResult, beam: number): Promise<StoreOutcome> {
      const settings = await getService(strapi, 'settings').get();
      const reason = reviewReason(result, settings, getService(strapi, 'bundles').domainOf(`${result.bundle}@${result.version}`));
      return withFileLocked(fileId, async (file): Promise<StoreOutcome> => {
        if (!file) return { skipped: 'file deleted' };
        const row = await byFile(fileId);
        if (row && REVIEWED.includes(row.status)) return { skipped: `caption ${row.status} by ${row.reviewedBy} while it was being made` };
        const ours = !isEmptyAlt(file.alternativeText) && !!row?.machineAlt && file.alternativeText === row.machineAlt;
        // A decorative image's alt text is empty on purpose: the caption is kept for review, never written.
        const mayWrite = (isEmptyAlt(file.alternativeText) || ours) && !(await getService(strapi, 'decorative').has(fileId));
        const publish = mayWrite && reason === null && settings.autoWrite;
        if (publish) await writeAlt(file.id, result.caption);
        // The plugin's earlier text described the image before it was replaced; withheld, the new caption leaves nothing it cannot stand behind.
        else if (ours && reason !== null) await writeAlt(file.id, '');
        const saved = await save(row, {
          fileId: file.id,
          fileName: file.name,
          text: result.caption,
          status: reason === null ? 'suggested' : 'needs-review',
          reviewReason: reason,
          source: 'machine',
          confidence: result.confidence,
          quality: result.quality,
          domainVerdict: result.domain.verdict,
          bundle: result.bundle,
          bundleVersion: result.version,
          m: result.m,
          steps: result.steps,
          beam,
          timings: { ...result.timings },
          error: null,
          // A retried job (its worker died after storing) gives the same text again: no new history entry.
          history: row?.text === result.caption ? (row.history ?? []) : withHistory(row, 'altbridge'),
          // Not the editor's text: machineAlt names only text the plugin itself put on the file.
          machineAlt: publish ? result.caption : ours && reason !== null ? null : (row?.machineAlt ?? null),
          reviewedBy: null,
          reviewedById: null,
          reviewedAt: null,
        });
        return { row: saved };
      });
    },

    /**
     * `mark` (an editor marking the file decorative) under the file's lock, after taking the plugin's
     * own text off the file: decorative means empty. Text a person wrote or approved is theirs to
     * remove, so the mark is refused while it is there.
     */
    async clearForDecorative<T>(fileId: number, user: AdminUser, mark: () => Promise<T>): Promise<T> {
      return withFileLocked(fileId, async (file) => {
        if (!file || !isImage(file.mime)) throw new NotFound(`no image ${fileId}`);
        if (!isEmptyAlt(file.alternativeText)) {
          const row = await byFile(fileId);
          if (!row?.machineAlt || file.alternativeText !== row.machineAlt)
            throw new Conflict(`file ${fileId} has alt text a person wrote or approved: "${file.alternativeText}"; remove it in the Media Library to mark the image decorative`, {
              alternativeText: file.alternativeText,
            });
          await writeAlt(fileId, '', user);
          await save(row, { machineAlt: null });
        }
        return mark();
      });
    },

    /** A job that failed for good: the reason is kept on the row; any earlier text, and a review made meanwhile, stay. */
    async storeFailure(file: { id: number; name: string }, error: string): Promise<void> {
      await withFileLocked(file.id, async () => {
        const row = await byFile(file.id);
        if (row && REVIEWED.includes(row.status)) return;
        await save(row, { fileId: file.id, fileName: file.name, status: 'failed', error });
      });
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
      if (q.status && !CAPTION_STATUSES.includes(q.status)) throw new InvalidInput(`status must be one of ${CAPTION_STATUSES.join(', ')}`);
      const k = strapi.db.connection;
      const t = await thresholds();
      // Filtered and paged in SQL: the file filter is a subquery, as a list of every bare file's id
      // would overflow PostgreSQL's 65,535 bind parameters in a large library.
      const matching = () => {
        const w = k(`${table(CAPTION_UID)} as c`);
        if (q.status) w.where('c.status', q.status);
        if (q.maxConfidence !== undefined) w.where('c.confidence', '<', q.maxConfidence);
        if (q.low) w.whereRaw(lowSql('c'), [t.minQuality, t.lowConfidence]);
        if (q.missingAlt)
          w.whereExists(
            k(`${table(FILE_UID)} as f`)
              .select(k.raw('1'))
              .whereRaw('f.id = c.file_id')
              .whereRaw(`coalesce(f.alternative_text, '') = ''`),
          );
        return w;
      };
      const [page, [{ n }]] = await Promise.all([
        matching()
          .select('c.id')
          .orderBy([
            { column: 'c.updated_at', order: 'desc' },
            { column: 'c.id', order: 'desc' },
          ])
          .offset((q.page - 1) * q.pageSize)
          .limit(q.pageSize) as Promise<{ id: number }[]>,
        matching().count({ n: '*' }) as Promise<{ n: string | number }[]>,
      ]);
      const total = Number(n);
      const found = (await strapi.db.query(CAPTION_UID as UID.Schema).findMany({ where: { id: { $in: page.map((r) => r.id) } } })) as CaptionRow[];
      const byId = new Map(found.map((r) => [r.id, r]));
      const captions = page.map((r) => byId.get(r.id)).filter((r): r is CaptionRow => !!r);
      const fileRows = (await files().findMany({ where: { id: { $in: captions.map((r) => r.fileId) } } })) as UploadFile[];
      const fileById = new Map(fileRows.map((f) => [f.id, f]));
      return {
        results: captions.map((r) => present(r, fileById.get(r.fileId) ?? null, t)),
        pagination: { page: q.page, pageSize: q.pageSize, total, pageCount: Math.ceil(total / q.pageSize) },
      };
    },

    async get(documentId: string): Promise<Caption> {
      const row = await byDocument(documentId);
      return present(row, await findFile(row.fileId), await thresholds());
    },

    async edit(documentId: string, text: unknown, user: AdminUser): Promise<Caption> {
      if (typeof text !== 'string' || text.length > CAPTION_MAX_TEXT) throw new InvalidInput(`text must be a string of at most ${CAPTION_MAX_TEXT} characters`);
      return review(documentId, 'edited', () => text.trim(), user, false);
    },

    /** Over alt text a person wrote only with replaceHumanText (after the editor saw it): else 409 with that text. */
    approve(documentId: string, user: AdminUser, options: { replaceHumanText?: unknown } = {}): Promise<Caption> {
      if (options.replaceHumanText !== undefined && typeof options.replaceHumanText !== 'boolean') throw new InvalidInput('replaceHumanText must be true or false');
      return review(documentId, 'approved', approvable, user, options.replaceHumanText === true);
    },

    /**
     * Every id is checked first (an unknown id or one without text approves none), then the rest are
     * approved in one transaction. Files whose alt text a person wrote are skipped (each needs its own
     * confirmation), images marked decorative, and out-of-domain captions unless includeOutOfDomain;
     * the answer says which and why.
     */
    async bulkApprove(documentIds: unknown, user: AdminUser, options: { includeOutOfDomain?: unknown } = {}): Promise<BulkApproval> {
      if (options.includeOutOfDomain !== undefined && typeof options.includeOutOfDomain !== 'boolean') throw new InvalidInput('includeOutOfDomain must be true or false');
      if (!Array.isArray(documentIds) || !documentIds.every((d) => typeof d === 'string')) throw new InvalidInput('ids must be an array of caption documentIds');
      const ids = [...new Set(documentIds as string[])];
      if (ids.length > BULK_APPROVE_MAX) throw new InvalidInput(`at most ${BULK_APPROVE_MAX} captions can be approved at once, got ${ids.length}`);
      const rows = (await strapi.db.query(CAPTION_UID as UID.Schema).findMany({ where: { documentId: { $in: ids } } })) as CaptionRow[];
      const found = new Set(rows.map((r) => r.documentId));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) throw new NotFound(`no caption ${missing.join(', ')}; nothing was approved`);
      for (const row of rows) approvable(row);
      // File id order: two bulk approvals lock shared files in the same order and cannot deadlock.
      rows.sort((a, b) => a.fileId - b.fileId);
      const skipped: BulkApproval['skipped'] = [];
      const skip = (row: CaptionRow, reason: BulkSkipReason) => skipped.push({ id: row.documentId, fileId: row.fileId, reason });
      const approved = await strapi.db.transaction(async () => {
        const out = new Map<string, Caption>();
        for (const row of rows) {
          if (row.domainVerdict === 'out' && options.includeOutOfDomain !== true) skip(row, 'out-of-domain');
          else if (await getService(strapi, 'decorative').has(row.fileId)) skip(row, 'decorative');
          else
            try {
              out.set(row.documentId, await this.approve(row.documentId, user));
            } catch (err) {
              if (!(err instanceof Conflict)) throw err;
              skip(row, 'human-alt-text');
            }
        }
        return out;
      });
      return { approved: ids.filter((id) => approved.has(id)).map((id) => approved.get(id)!), skipped };
    },

    /** A wrong machine caption is taken off the file too (no description beats a wrong one); human text stays. */
    async reject(documentId: string, user: AdminUser): Promise<Caption> {
      const { fileId } = await byDocument(documentId);
      return withFileLocked(fileId, async (file) => {
        const row = await byDocument(documentId);
        if (file && row.machineAlt && file.alternativeText === row.machineAlt) await writeAlt(file.id, '', user);
        const saved = await save(row, { status: 'rejected', machineAlt: null, reviewedBy: nameOf(user), reviewedById: user.id, reviewedAt: new Date().toISOString() });
        return present(saved, file && (await findFile(file.id)), await thresholds());
      });
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
        schedule(overrides.m ?? depthOf(s, getService(strapi, 'bundles').domainOf(s.bundle)), overrides.steps, s.steps);
      }
      // The row first: a fast worker must not find its result overwritten by 'queued'.
      await this.markQueued({ id: row.fileId, name: row.fileName });
      return { jobId: await getService(strapi, 'queue').enqueueRegenerate(row.fileId, overrides) };
    },
  };
};
