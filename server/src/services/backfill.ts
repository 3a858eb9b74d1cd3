/**
 * Backfill: captions every image already in the Media Library that has no alt text, no caption
 * row and no decorative mark. One run at a time. Its state lives in the plugin store and its
 * progress in the caption rows it tags with the run's id (`batch`), so a Strapi restart loses
 * nothing: the feeder picks up where the rows say it was, and the reconciler re-queues rows whose
 * jobs Redis lost.
 *
 * The feeder (tick) runs in the process that consumes the queue and keeps at most `backfillChunk`
 * of the run's jobs queued at a time, so a library of 100 000 images does not flood Redis and
 * uploads made meanwhile are not stuck behind the whole backfill.
 *
 * Every change of the run's state reads and writes it under one PostgreSQL advisory lock, held until
 * the change commits: two starts at once make one run (the other is a 409), and the feeder's "done"
 * does not overwrite a cancel made meanwhile.
 */
import type { Core, UID } from '@strapi/strapi';
import { CAPTION_UID } from '../content-types/caption';
import { DECORATIVE_UID } from '../content-types/decorative';
import type { BackfillState, BackfillStatus } from '../contracts';
import { Conflict } from '../errors';
import { ROW_ID } from '../input';
import { AdminUser, FILE_UID, getService, nameOf, pluginConfig, pluginStore } from '../utils';

interface Stored {
  id: string;
  state: Exclude<BackfillState, 'idle'>;
  /** Images lacking alt text when the run started. */
  total: number;
  /** Files created later are left to the upload hook. */
  maxFileId: number;
  startedAt: string;
  startedBy: string | null;
  updatedAt: string;
  finishedAt: string | null;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => pluginStore(strapi, 'backfill');
  const knex = () => strapi.db.connection;
  const tableOf = (uid: string) => strapi.db.metadata.get(uid as UID.Schema).tableName;
  const fileTable = () => tableOf(FILE_UID);
  const captionTable = () => tableOf(CAPTION_UID);
  let ticking: Promise<void> | null = null;

  const read = async () => ((await store().get({})) as Stored | null) ?? null;
  const write = (s: Stored) => store().set({ value: { ...s, updatedAt: new Date().toISOString() } });

  /** `change` given the state as it is now, in a transaction holding the backfill's advisory lock (the store's queries join it). */
  async function exclusive<T>(change: (s: Stored | null) => Promise<T>): Promise<T> {
    return await strapi.db.transaction(async ({ trx }) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['altbridge.backfill']);
      return change(await read());
    });
  }

  /** Images with no alt text (empty or blank), no caption row and no decorative mark, up to file id `maxId`. */
  function candidates(maxId: number) {
    const k = knex();
    return k(`${fileTable()} as f`)
      .where('f.mime', 'like', 'image/%')
      .andWhere('f.id', '<=', maxId)
      .andWhereRaw(`coalesce(trim(f.alternative_text), '') = ''`)
      .whereNotExists(k(`${captionTable()} as c`).select(k.raw('1')).whereRaw('c.file_id = f.id'))
      .whereNotExists(
        k(`${tableOf(DECORATIVE_UID)} as d`)
          .select(k.raw('1'))
          .whereRaw('d.file_id = f.id'),
      );
  }

  async function countCandidates(maxId: number): Promise<number> {
    const [{ n }] = await candidates(maxId).count({ n: '*' });
    return Number(n);
  }

  async function counts(batch: string): Promise<{ done: number; needsReview: number; failed: number; queued: number }> {
    const rows = (await knex()(captionTable()).where('batch', batch).select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: string }[];
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    const all = rows.reduce((a, r) => a + Number(r.n), 0);
    return { failed: by.failed ?? 0, queued: by.queued ?? 0, done: all - (by.failed ?? 0) - (by.queued ?? 0), needsReview: by['needs-review'] ?? 0 };
  }

  async function maxFileId(): Promise<number> {
    const [{ m }] = await knex()(fileTable()).max({ m: 'id' });
    return Number(m ?? 0);
  }

  /**
   * Takes the run's unstarted jobs off the queue and forgets their rows, so those files are candidates
   * again. Each row goes under its file's lock, taken in file order as every locker takes them: a job
   * storing its caption holds that lock, and a row deleted between its read and its update would take
   * the caption with it.
   */
  async function withdraw(batch: string): Promise<void> {
    await getService(strapi, 'queue').withdrawBatch(batch);
    await strapi.db.transaction(async ({ trx }) => {
      const unstarted = () => trx(captionTable()).where({ batch, status: 'queued' }).whereNull('text');
      const rows = (await unstarted().orderBy('file_id').select('file_id')) as { file_id: number }[];
      for (const { file_id: fileId } of rows) {
        await trx(fileTable()).where({ id: fileId }).forUpdate().first('id');
        await unstarted().where({ file_id: fileId }).del();
      }
    });
  }

  async function status(): Promise<BackfillStatus> {
    const s = await read();
    const lacking = await countCandidates(ROW_ID[1]);
    if (!s)
      return {
        id: null,
        state: 'idle',
        total: 0,
        done: 0,
        needsReview: 0,
        failed: 0,
        queued: 0,
        remaining: 0,
        progress: 0,
        startedAt: null,
        startedBy: null,
        updatedAt: null,
        finishedAt: null,
        lacking,
      };
    const c = await counts(s.id);
    const finished = c.done + c.failed;
    return {
      id: s.id,
      state: s.state,
      total: s.total,
      ...c,
      remaining: Math.max(0, s.total - finished - c.queued),
      progress: s.total ? Math.min(1, finished / s.total) : 1,
      startedAt: s.startedAt,
      startedBy: s.startedBy,
      updatedAt: s.updatedAt,
      finishedAt: s.finishedAt,
      lacking,
    };
  }

  async function setState(from: Stored['state'][], to: Stored['state'], verb: string): Promise<BackfillStatus> {
    const s = await exclusive(async (s) => {
      if (!s || !from.includes(s.state)) throw new Conflict(`no backfill to ${verb}${s ? ` (the last one is ${s.state})` : ''}`);
      await write({ ...s, state: to, finishedAt: to === 'cancelled' ? new Date().toISOString() : s.finishedAt });
      return s;
    });
    if (to !== 'running') await withdraw(s.id);
    return status();
  }

  /** One step of the feeder: tops the run's queued jobs up to the chunk size; marks the run done at the end. */
  async function feed(): Promise<void> {
    const s = await read();
    if (!s || s.state !== 'running') return;
    const c = await counts(s.id);
    const room = pluginConfig(strapi).backfillChunk - c.queued;
    if (room <= 0) return;
    const next = (await candidates(s.maxFileId).select('f.id', 'f.name', 'f.updated_at as updatedAt').orderBy('f.id').limit(room)) as { id: number; name: string; updatedAt: Date }[];
    if (next.length === 0) {
      if (c.queued === 0) {
        await exclusive(async (now) => {
          if (now?.id === s.id && now.state === 'running') await write({ ...now, state: 'done', finishedAt: new Date().toISOString() });
        });
      }
      return;
    }
    const captions = getService(strapi, 'captions');
    const queue = getService(strapi, 'queue');
    for (const f of next) {
      // Paused or cancelled meanwhile: stop adding.
      if ((await read())?.state !== 'running') return;
      await captions.markQueued(f, s.id);
      await queue.enqueueFile(f, s.id);
    }
  }

  return {
    status,

    async start(user: AdminUser | null): Promise<BackfillStatus> {
      const total = await exclusive(async (s) => {
        if (s && (s.state === 'running' || s.state === 'paused')) throw new Conflict(`a backfill is already ${s.state} (${s.id}); cancel it first`);
        const maxId = await maxFileId();
        const total = await countCandidates(maxId);
        const now = new Date().toISOString();
        await write({
          id: `backfill-${Date.now()}`,
          state: total ? 'running' : 'done',
          total,
          maxFileId: maxId,
          startedAt: now,
          startedBy: nameOf(user),
          updatedAt: now,
          finishedAt: total ? null : now,
        });
        return total;
      });
      if (total) void this.tick();
      return status();
    },

    pause: () => setState(['running'], 'paused', 'pause'),
    resume: () => setState(['paused'], 'running', 'resume'),
    cancel: () => setState(['running', 'paused'], 'cancelled', 'cancel'),

    /** Resolves when no feeding pass is in progress. */
    settle: () => ticking ?? Promise.resolve(),

    /** Feeds the run once; overlapping calls share one pass. Errors are logged, not thrown. */
    tick(): Promise<void> {
      ticking ??= feed()
        .catch((err: Error) => void strapi.log.error(`altbridge: backfill: ${err.message}`))
        .finally(() => (ticking = null));
      return ticking!;
    },
  };
};
