/**
 * The plugin's promises under races and hostile input, on a real Strapi, PostgreSQL and Redis.
 *
 * Nothing consumes the queue here (worker 'external'): each caption job is the consumer's own
 * processor called directly, on an engine that waits at a gate once the job has read the file, so
 * an editor's write lands between the job's start and its write-back exactly when the test says,
 * with no sleeps. Concurrent requests are held the same way: the test holds a PostgreSQL lock they
 * need and lets go once PostgreSQL shows them all waiting.
 */
import type { Job } from 'bullmq';
import sharp from 'sharp';
import type { CaptionResult } from '../../worker/caption';
import { UnreadableImageError } from '../../worker/engine';
import { appIdOf } from '../../server/src/app-identity';
import { jobProcessor } from '../../server/src/consumer/process-job';
import type { CaptionJob } from '../../server/src/contracts';
import { Admin, call, upload } from './helpers/http';
import { PUBLISH_DEMONSTRATION } from './helpers/scenes';
import { lockWaiters, releasedTogether } from './helpers/locks';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

let app: TestApp;
let admin: Admin;

beforeAll(async () => {
  app = await bootApp('hardening', { ALTBRIDGE_WORKER: 'external' });
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
  // The write-through rule is what these tests hold; the default (demonstration) bundle must write.
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const EDITOR = 'Ed Itor 1';
let colour = 0;
const png = () =>
  sharp({ create: { width: 32, height: 32, channels: 3, background: { r: (colour += 37) % 256, g: 90, b: 140 } } })
    .png()
    .toBuffer();

const fileRow = (id: number) => app.strapi.db.query('plugin::upload.file').findOne({ where: { id } });
const captionRow = (fileId: number) => app.strapi.db.query('plugin::altbridge.caption').findOne({ where: { fileId } });
const captionApi = async (fileId: number) => (await call(admin, 'GET', `/altbridge/captions/${(await captionRow(fileId)).documentId}`)).body.data;

/** An image uploaded through the admin API, once the upload hook has queued its caption row. */
async function uploaded(): Promise<{ id: number; documentId: string }> {
  const file = await upload(admin, `image-${colour}.png`, 'image/png', await png());
  const row = await waitFor(`the caption row of file ${file.id}`, async () => (await captionRow(file.id)) ?? undefined);
  return { id: file.id, documentId: row.documentId };
}

const result = (file: string, caption: string): CaptionResult => ({
  file,
  caption,
  confidence: -0.5,
  m: 600,
  steps: 5,
  bundle: 'shapes-mini',
  version: '1.1.0',
  timings: { preprocess: 1, clip: 1, bridge: 1, decoder: 1 },
  domain: { distance: null, score: null, colour: null, verdict: 'unknown' },
  nearestCaption: null,
  quality: null,
});

/** A job of this app's as BullMQ hands it to the processor (one attempt: its failure is the last). */
const job = (data: Omit<CaptionJob, 'app'>) => ({ data: { app: appIdOf(app.strapi), ...data }, attemptsMade: 0, opts: { attempts: 1 } }) as unknown as Job<CaptionJob>;

/** A caption job run to the end at once. */
const captionNow = (fileId: number, caption: string) => jobProcessor(app.strapi, { caption: async (name) => result(name, caption) })(job({ fileId }));

/**
 * A caption job held at its engine: `arrived` resolves once the job has read the file row and the
 * image; it stays there until open() (the caption is `caption`) or fail(err).
 */
function heldJob(data: Omit<CaptionJob, 'app'>, caption: string) {
  let arrive!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  let release!: (err: Error | null) => void;
  const gate = new Promise<Error | null>((r) => (release = r));
  const done = jobProcessor(app.strapi, {
    caption: async (name) => {
      arrive();
      const err = await gate;
      if (err) throw err;
      return result(name, caption);
    },
  })(job(data));
  // Awaited by each test; this keeps an early failure from being reported as unhandled meanwhile.
  done.catch(() => undefined);
  return { arrived, done, open: () => release(null), fail: (err: Error) => release(err) };
}

/** How many of this database's connections wait for a lock now. */
describe("a person's alt text survives a caption job that started before it was written", () => {
  test.each([
    ['no alt text', false],
    ["the plugin's own caption", true],
  ])('saved in the Media Library while the job runs (the file had %s)', async (_, captionedBefore) => {
    const file = await uploaded();
    if (captionedBefore) {
      await captionNow(file.id, 'An earlier machine caption');
      expect((await fileRow(file.id)).alternativeText).toBe('An earlier machine caption');
      // A regenerate: the plugin's text on the file may be replaced by the new caption, unless someone writes.
      expect((await call(admin, 'POST', `/altbridge/captions/${file.documentId}/regenerate`, {})).status).toBe(200);
    }
    const held = heldJob({ fileId: file.id }, 'A machine caption');
    await held.arrived;
    const saved = await call(admin, 'PUT', `/upload/files/${file.id}`, { fileInfo: { alternativeText: 'Written by an editor' } });
    expect(saved.status).toBe(200);
    held.open();
    expect(await held.done).toMatchObject({ status: 'suggested', caption: 'A machine caption' });

    expect((await fileRow(file.id)).alternativeText).toBe('Written by an editor');
    // The suggestion is stored beside it, and the row does not claim the file's text is the machine's.
    expect(await captionApi(file.id)).toMatchObject({ text: 'A machine caption', status: 'suggested', source: 'machine', altTextFromPlugin: false });
    expect((await captionRow(file.id)).machineAlt).not.toBe('Written by an editor');
  });

  test("the editor's save holds the file row when the job writes back: the job waits, then keeps it", async () => {
    const file = await uploaded();
    const held = heldJob({ fileId: file.id }, 'A machine caption');
    await held.arrived;
    // A Media Library save in flight: its UPDATE holds the row, not committed yet.
    const editor = await app.strapi.db.connection.transaction();
    try {
      await editor('files').where({ id: file.id }).update({ alternative_text: 'Saved by an editor' });
      held.open();
      await waitFor('the job to wait for the file row', async () => ((await lockWaiters(app.strapi)) >= 1 ? true : undefined));
      await editor.commit();
    } finally {
      if (!editor.isCompleted()) await editor.rollback();
    }
    await held.done;
    expect((await fileRow(file.id)).alternativeText).toBe('Saved by an editor');
    expect((await captionApi(file.id)).altTextFromPlugin).toBe(false);
  });

  test("the plugin's inline edit during the job stays: on the file and on the row", async () => {
    const file = await uploaded();
    const held = heldJob({ fileId: file.id }, 'A machine caption');
    await held.arrived;
    const edited = await call(admin, 'PUT', `/altbridge/captions/${file.documentId}`, { text: 'A person wrote this' });
    expect(edited.status).toBe(200);
    held.open();
    expect(await held.done).toMatchObject({ status: 'skipped', skipped: `caption edited by ${EDITOR} while it was being made` });

    expect((await fileRow(file.id)).alternativeText).toBe('A person wrote this');
    expect(await captionApi(file.id)).toMatchObject({ text: 'A person wrote this', status: 'edited', source: 'human', reviewedBy: EDITOR, altTextFromPlugin: false });
    expect((await captionRow(file.id)).machineAlt).toBeNull();
  });

  test('an approval made during a regenerate is kept', async () => {
    const file = await uploaded();
    await captionNow(file.id, 'The first machine caption');
    const regen = await call(admin, 'POST', `/altbridge/captions/${file.documentId}/regenerate`, { m: 200, steps: 2 });
    expect(regen.status).toBe(200);
    const held = heldJob({ fileId: file.id, m: 200, steps: 2 }, 'A regenerated caption');
    await held.arrived;
    const approved = await call(admin, 'POST', `/altbridge/captions/${file.documentId}/approve`);
    expect(approved.body.data).toMatchObject({ status: 'approved', text: 'The first machine caption' });
    held.open();
    expect(await held.done).toMatchObject({ status: 'skipped', skipped: `caption approved by ${EDITOR} while it was being made` });

    expect(await captionApi(file.id)).toMatchObject({ status: 'approved', text: 'The first machine caption', reviewedBy: EDITOR, m: 600, altTextFromPlugin: false });
    expect((await fileRow(file.id)).alternativeText).toBe('The first machine caption');
  });

  test('a job that fails after an edit does not mark the edited row failed', async () => {
    const file = await uploaded();
    const held = heldJob({ fileId: file.id }, 'never made');
    await held.arrived;
    expect((await call(admin, 'PUT', `/altbridge/captions/${file.documentId}`, { text: 'Edited while it failed' })).status).toBe(200);
    held.fail(new UnreadableImageError('not an image after all'));
    await expect(held.done).rejects.toThrow('unreadable image: not an image after all');
    expect(await captionApi(file.id)).toMatchObject({ status: 'edited', text: 'Edited while it failed', error: null });
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  test('preview: a fileId that is no row id is a 400, never an SQL error', async () => {
    const bad = ['abc', '1; select 1', 2.5, -1, 2_147_483_648, '99999999999', [1], { id: 1 }];
    const answers = await Promise.all(bad.map((fileId) => call(admin, 'POST', '/altbridge/settings/preview', { m: [0], fileId })));
    expect(answers.map((r, i) => [bad[i], r.status])).toEqual(bad.map((fileId) => [fileId, 400]));
    for (const r of answers) expect(r.body.error.message).toMatch(/^fileId must be a whole number from 1 to 2147483647, got /);
  });

  test('bulk approve is all or nothing, and capped', async () => {
    const files = [await uploaded(), await uploaded(), await uploaded()];
    for (const [i, f] of files.entries()) await captionNow(f.id, `Machine caption ${i}`);
    const ids = files.map((f) => f.documentId);
    const statuses = async () => Promise.all(files.map(async (f) => (await captionRow(f.id)).status));

    const unknown = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: [ids[0], 'no-such-caption', ids[2]] });
    expect(unknown.status).toBe(404);
    expect(await statuses()).toEqual(['suggested', 'suggested', 'suggested']);
    expect(unknown.body.error.message).toBe('no caption no-such-caption; nothing was approved');

    // A row with no text yet (queued) in the middle: 400, and the others stay as they were.
    const bare = await uploaded();
    const noText = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: [ids[0], bare.documentId, ids[2]] });
    expect(noText.status).toBe(400);
    expect(await statuses()).toEqual(['suggested', 'suggested', 'suggested']);

    const tooMany = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: Array.from({ length: 501 }, (_, i) => `caption-${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toBe('at most 500 captions can be approved at once, got 501');

    const ok = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: [ids[2], ids[0], ids[1]] });
    expect(ok.status).toBe(200);
    expect(ok.body.data.approved.map((c: { documentId: string; status: string }) => [c.documentId, c.status])).toEqual([ids[2], ids[0], ids[1]].map((id) => [id, 'approved']));
    expect(ok.body.data.skipped).toEqual([]);
    expect(await statuses()).toEqual(['approved', 'approved', 'approved']);
  });

  test('two backfill starts at once make one run', async () => {
    // An image with no alt text and no caption row, so a run has something to do.
    await call(admin, 'PUT', '/altbridge/settings', { autoCaption: false });
    await upload(admin, 'not-yet-captioned.png', 'image/png', await png());
    await call(admin, 'PUT', '/altbridge/settings', { autoCaption: true });

    // Both requests are held where a start reads the library, until both are in flight.
    const answers = await releasedTogether(app.strapi, 'files', () => [call(admin, 'POST', '/altbridge/backfill'), call(admin, 'POST', '/altbridge/backfill')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect((await call(admin, 'POST', '/altbridge/backfill/cancel')).status).toBe(200);
  });
});

describe('a library larger than one query can name', () => {
  // 100 000 images, 80 000 without alt text: more than PostgreSQL's 65 535 bind parameters.
  const N = 100_000;
  const failedBare = '/altbridge/captions?missingAlt=true&status=failed&pageSize=100';
  /** The audit, and the failed captions of files without alt text, of what the tests above left, before the library grows. */
  let before: any;
  let failedBefore: number;

  beforeAll(async () => {
    before = (await call(admin, 'GET', '/altbridge/audit')).body.data;
    failedBefore = (await call(admin, 'GET', failedBare)).body.data.pagination.total;
    const k = app.strapi.db.connection;
    // i % 10: 0 a person's alt text; 1 the plugin's unreviewed caption (half below the threshold); 9 failed; else nothing.
    await k.raw(`
      insert into files (document_id, name, url, mime, ext, hash, size, provider, alternative_text, created_at, updated_at)
      select 'bulkfile' || i, 'bulk-' || i || '.png', '/uploads/bulk-' || i || '.png', 'image/png', '.png', 'bulk-' || i, i, 'local',
        case i % 10 when 0 then 'Described by a person' when 1 then 'machine ' || i end, now(), now()
      from generate_series(1, ${N}) i`);
    await k.raw(`
      insert into altbridge_captions (document_id, file_id, file_name, text, status, source, confidence, machine_alt, error, created_at, updated_at, published_at)
      select 'bulkcap' || f.size, f.id, f.name,
        case when f.size::int % 10 = 1 then 'machine ' || f.size::int end,
        case when f.size::int % 10 = 1 then 'suggested' else 'failed' end, 'machine',
        case when f.size::int % 10 = 1 then (case when f.size::int % 20 = 1 then -3 else -0.5 end) end,
        case when f.size::int % 10 = 1 then 'machine ' || f.size::int end,
        case when f.size::int % 10 = 9 then 'broken' end, now(), now(), now()
      from files f where f.hash like 'bulk-%' and f.size::int % 10 in (1, 9)`);
    // Statistics, as autovacuum would gather them for a library that grew over time.
    await k.raw('analyze files, altbridge_captions');
  }, 120_000);

  afterAll(async () => {
    const k = app.strapi.db.connection;
    await k('altbridge_captions').where('document_id', 'like', 'bulkcap%').del();
    await k('files').where('hash', 'like', 'bulk-%').del();
  });

  /** The most rows any one query returned while `work` ran. */
  async function largestResult(work: () => Promise<unknown>): Promise<number> {
    let most = 0;
    const seen = (rows: unknown) => (most = Math.max(most, Array.isArray(rows) ? rows.length : ((rows as { rows?: unknown[] })?.rows?.length ?? 0)));
    app.strapi.db.connection.on('query-response', seen);
    try {
      await work();
    } finally {
      app.strapi.db.connection.off('query-response', seen);
    }
    return most;
  }

  test('the audit is counted and paged by PostgreSQL', async () => {
    let report: any;
    const most = await largestResult(async () => {
      report = (await call(admin, 'GET', '/altbridge/audit?pageSize=500&reason=failed')).body.data;
    });
    expect(most).toBeLessThanOrEqual(500);
    const c = before.coverage;
    expect(report.coverage).toEqual({
      images: c.images + N,
      human: c.human + N / 10,
      machineApproved: c.machineApproved,
      machineUnreviewed: c.machineUnreviewed + N / 10,
      decorative: c.decorative,
      none: c.none + (N * 8) / 10,
    });
    // The person's 10 000 identical texts break the duplicate rule; the files without any, the missing rule.
    const rules = before.totals.byRule;
    expect(report.totals.byRule).toMatchObject({ duplicate: rules.duplicate + N / 10, missing: rules.missing + (N * 8) / 10 });
    const r = before.attention.byReason;
    expect(report.attention.byReason).toEqual({
      'no-alt-text': r['no-alt-text'] + (N * 8) / 10,
      unreviewed: r.unreviewed + N / 10,
      'needs-review': r['needs-review'],
      failed: r.failed + N / 10,
      'low-confidence': r['low-confidence'] + N / 20,
    });
    expect(report.attention.total).toBe(before.attention.total + N);

    // reason=failed: the 10 000 failed rows (and any before), 500 a page, in file id order, none twice.
    const { total, pageCount } = report.attention.pagination;
    expect([total, pageCount]).toEqual([r.failed + N / 10, Math.ceil((r.failed + N / 10) / 500)]);
    const page = async (p: number) => (await call(admin, 'GET', `/altbridge/audit?pageSize=500&reason=failed&page=${p}`)).body.data.attention.results.map((i: { fileId: number }) => i.fileId);
    const first = report.attention.results.map((i: { fileId: number }) => i.fileId);
    const [second, last, past] = [await page(2), await page(pageCount), await page(pageCount + 1)];
    expect([first.length, second.length, last.length, past.length]).toEqual([500, 500, total - (pageCount - 1) * 500, 0]);
    const seen = [...first, ...second];
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(1000);
    expect(report.attention.results.at(-1)).toMatchObject({ kind: 'none', captionStatus: 'failed', error: 'broken', reasons: ['no-alt-text', 'failed'] });
  }, 120_000);

  test('the export reads the library a page at a time', async () => {
    let csv = '';
    const most = await largestResult(async () => {
      csv = (await call(admin, 'GET', '/altbridge/audit/export?format=csv&scope=attention')).body;
    });
    expect(most).toBeLessThanOrEqual(500);
    const audit = (await call(admin, 'GET', '/altbridge/audit')).body.data;
    // A header line and one line per image needing attention (no field here has a line break).
    expect(csv.split('\r\n').length - 2).toBe(audit.attention.total);
  }, 120_000);

  test('the captions list filters on files without alt text in SQL, not by naming them all', async () => {
    const r = await call(admin, 'GET', failedBare);
    expect(r.status).toBe(200);
    expect(r.body.data.pagination.total).toBe(failedBefore + N / 10);
    expect(r.body.data.results).toHaveLength(100);
    expect(r.body.data.results.every((c: any) => c.status === 'failed' && !c.file.alternativeText)).toBe(true);
  }, 120_000);
});
