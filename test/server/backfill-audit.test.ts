/**
 * The accessibility audit and the backfill on a real Strapi: a library with every kind of alt text
 * is classified and exported (CSV quoting, attachment headers), then the backfill captions what has
 * none, in chunks, with pause / resume / cancel and one run at a time.
 */
import { Captioner } from '../../worker/caption';
import { Admin, call, upload } from './helpers/http';
import { emojiFace, PUBLISH_DEMONSTRATION, shapesScene } from './helpers/scenes';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

let app: TestApp;
let admin: Admin;

beforeAll(async () => {
  app = await bootApp('backfill', { ALTBRIDGE_BACKFILL_CHUNK: '2', ALTBRIDGE_BACKFILL_TICK_MS: '200', ALTBRIDGE_LOW_CONFIDENCE: '-2.5' });
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
  // These tests count on the default (demonstration) bundle writing alt text.
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

/** A different in-domain scene per call: the default bundle writes (with PUBLISH_DEMONSTRATION) only what it can stand behind. */
let seed = 200;
const png = () => shapesScene(++seed);
const fileRow = (id: number) => app.strapi.db.query('plugin::upload.file').findOne({ where: { id } });
const captionRows = (fileId: number) => app.strapi.db.query('plugin::altbridge.caption').findMany({ where: { fileId } });

async function captionOf(fileId: number, statuses = ['suggested']): Promise<any> {
  return waitFor(`a ${statuses.join('/')} caption for file ${fileId}`, async () => {
    const [row] = await captionRows(fileId);
    if (!row || !statuses.includes(row.status)) return undefined;
    return (await call(admin, 'GET', `/altbridge/captions/${row.documentId}`)).body.data;
  });
}

const setAuto = (autoCaption: boolean) => call(admin, 'PUT', '/altbridge/settings', { autoCaption });

/** Files uploaded while auto-captioning is off: no alt text, no caption row. */
async function bare(n: number, prefix: string): Promise<any[]> {
  await setAuto(false);
  const out = [];
  for (let i = 0; i < n; i++) out.push(await upload(admin, `${prefix}-${i}.png`, 'image/png', await png()));
  await setAuto(true);
  return out;
}

/** CSV as RFC 4180 reads it (quoted fields with commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

const ids: Record<string, number> = {};

describe('accessibility audit', () => {
  beforeAll(async () => {
    const human = await upload(admin, 'human.png', 'image/png', await png(), { alternativeText: 'Team photo, "summer", 2024\nsecond line' });
    const machine = await upload(admin, 'machine.png', 'image/png', await png());
    const approved = await upload(admin, 'approved.png', 'image/png', await png());
    const edited = await upload(admin, 'edited.png', 'image/png', await png());
    const broken = await upload(admin, 'broken.png', 'image/png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 3)]));
    await upload(admin, 'notes.txt', 'text/plain', Buffer.from('not an image'));
    const [none] = await bare(1, 'none');
    Object.assign(ids, { human: human.id, machine: machine.id, approved: approved.id, edited: edited.id, broken: broken.id, none: none.id });
    await captionOf(human.id);
    await captionOf(machine.id);
    const a = await captionOf(approved.id);
    expect((await call(admin, 'POST', `/altbridge/captions/${a.documentId}/approve`)).status).toBe(200);
    const e = await captionOf(edited.id);
    expect((await call(admin, 'PUT', `/altbridge/captions/${e.documentId}`, { text: '=SUM(A1), a "quoted", edit' })).status).toBe(200);
    await captionOf(broken.id, ['failed']);
  });

  test('coverage counts each image once, by who wrote its alt text', async () => {
    const res = await call(admin, 'GET', '/altbridge/audit');
    expect(res.status).toBe(200);
    expect(res.body.data.coverage).toEqual({ images: 6, human: 2, machineApproved: 1, machineUnreviewed: 1, decorative: 0, none: 2 });
  });

  test("the audit and the panel's limits use the one configured low-confidence threshold", async () => {
    expect((await call(admin, 'GET', '/altbridge/audit')).body.data.lowConfidence).toBe(-2.5);
    expect((await call(admin, 'GET', '/altbridge/limits')).body.data.lowConfidence).toBe(-2.5);
  });

  test('the attention list names why each image needs a look', async () => {
    // A quality bar above every estimate: the machine caption (calibrated) is below it.
    expect((await call(admin, 'PUT', '/altbridge/settings', { minQuality: 1 })).status).toBe(200);
    const res = await call(admin, 'GET', '/altbridge/audit?lowConfidence=0&pageSize=100');
    expect((await call(admin, 'PUT', '/altbridge/settings', { minQuality: 0 })).status).toBe(200);
    const byFile = Object.fromEntries(res.body.data.attention.results.map((i: any) => [i.fileId, i]));
    expect(byFile[ids.machine].reasons).toEqual(['unreviewed', 'low-confidence']);
    expect(byFile[ids.machine].kind).toBe('machineUnreviewed');
    expect(byFile[ids.broken].reasons).toEqual(['no-alt-text', 'failed']);
    expect(byFile[ids.broken].error).toMatch(/\w/);
    expect(byFile[ids.none]).toMatchObject({ reasons: ['no-alt-text'], captionId: null, captionStatus: null });
    for (const ok of [ids.human, ids.approved, ids.edited]) expect(byFile[ok]).toBeUndefined();
    expect(res.body.data.attention).toMatchObject({ total: 3, byReason: { 'no-alt-text': 2, unreviewed: 1, failed: 1, 'low-confidence': 1 } });
    // With the default threshold the machine caption may or may not be "low"; filtering by reason works either way.
    const failed = await call(admin, 'GET', '/altbridge/audit?reason=failed');
    expect(failed.body.data.attention.results.map((i: any) => i.fileId)).toEqual([ids.broken]);
    expect((await call(admin, 'GET', '/altbridge/audit?reason=nope')).status).toBe(400);
    expect((await call(admin, 'GET', '/altbridge/audit?lowConfidence=abc')).status).toBe(400);
  });

  test('CSV export: an attachment, every image, quoted as RFC 4180 says', async () => {
    const res = await fetch(`${app.baseUrl}/altbridge/audit/export?format=csv`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="alt-text-audit-\d{4}-\d\d-\d\d\.csv"$/);
    const text = await res.text();
    // Every field quoted, so no separator or leading character in a cell is read as anything else.
    const records = text.split('\r\n').slice(0, -1);
    expect(records.filter((r) => !/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/.test(r))).toEqual([]);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
      'fileId',
      'fileName',
      'url',
      'kind',
      'alternativeText',
      'captionStatus',
      'captionText',
      'confidence',
      'quality',
      'reviewReason',
      'bundle',
      'reviewedBy',
      'reviewedAt',
      'error',
      'reasons',
      'rules',
      'compliant',
      'decorativeReason',
      'domainVerdict',
      'entries',
      'publishedEntries',
    ]);
    expect(rows).toHaveLength(7);
    const byId = Object.fromEntries(rows.slice(1).map((r) => [Number(r[0]), r]));
    expect(byId[ids.human][4]).toBe('Team photo, "summer", 2024\nsecond line');
    expect(byId[ids.human][3]).toBe('human');
    // A cell a spreadsheet would run as a formula is defused.
    expect(byId[ids.edited][4]).toBe(`'=SUM(A1), a "quoted", edit`);
    expect(byId[ids.broken][14]).toBe('no-alt-text;failed');
    expect(byId[ids.broken].slice(15)).toEqual(['missing', 'false', '', '', '0', '0']);
    expect(rows.every((r) => r.length === 21)).toBe(true);
  });

  test('JSON export, only what needs attention; a bad format is refused', async () => {
    const res = await fetch(`${app.baseUrl}/altbridge/audit/export?format=json&scope=attention`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.json"$/);
    const body = (await res.json()) as any;
    expect(body.coverage.images).toBe(6);
    expect(body.items.map((i: any) => i.fileId).sort()).toEqual([ids.machine, ids.broken, ids.none].sort());
    expect((await call(admin, 'GET', '/altbridge/audit/export?format=xml')).status).toBe(400);
  });
});

describe('backfill', () => {
  const status = async () => (await call(admin, 'GET', '/altbridge/backfill')).body.data;

  test('captions every image without alt text or caption, in chunks, and reports progress', async () => {
    const files = await bare(5, 'old');
    await setAuto(false);
    const outside = await upload(admin, 'outside.png', 'image/png', await emojiFace());
    await setAuto(true);
    const before = await status();
    // The 6 new ones and the audit's bare file; not the text file, the ones with alt text or a caption.
    expect(before.lacking).toBe(7);
    const started = await call(admin, 'POST', '/altbridge/backfill');
    expect(started.status).toBe(200);
    expect(started.body.data).toMatchObject({ state: 'running', total: 7 });
    expect((await call(admin, 'POST', '/altbridge/backfill')).status).toBe(409);

    let most = 0;
    const done = await waitFor(
      'the backfill to finish',
      async () => {
        const s = await status();
        most = Math.max(most, s.queued);
        return s.state === 'done' ? s : undefined;
      },
      120_000,
    );
    expect(most).toBeLessThanOrEqual(2);
    expect(done).toMatchObject({ total: 7, done: 7, needsReview: 1, failed: 0, queued: 0, remaining: 0, progress: 1, lacking: 0, startedBy: 'Ed Itor 1' });
    for (const f of files) {
      const [row] = await captionRows(f.id);
      expect(row).toMatchObject({ status: 'suggested', batch: done.id });
      expect((await fileRow(f.id)).alternativeText).toBe(row.text);
    }
    // Out of the bundle's domain: captioned and counted as needing review, never written.
    expect((await captionRows(outside.id))[0]).toMatchObject({ status: 'needs-review', reviewReason: 'out-of-domain', batch: done.id });
    expect((await fileRow(outside.id)).alternativeText ?? '').toBe('');
    const audit = (await call(admin, 'GET', '/altbridge/audit?reason=needs-review')).body.data;
    expect(audit.attention.results.map((i: any) => [i.fileId, i.reasons])).toEqual([[outside.id, ['no-alt-text', 'needs-review']]]);
    expect(audit.attention.byReason['needs-review']).toBe(1);
    // The file a person described and the text file were left alone.
    expect((await fileRow(ids.human)).alternativeText).toMatch(/^Team photo/);
  });

  test('pause holds it, resume goes on, cancel stops it and a new run can start', async () => {
    await bare(6, 'later');
    const started = (await call(admin, 'POST', '/altbridge/backfill')).body.data;
    expect(started.total).toBe(6);
    const paused = await call(admin, 'POST', '/altbridge/backfill/pause');
    expect(paused.status).toBe(200);
    expect(paused.body.data.state).toBe('paused');
    expect((await call(admin, 'POST', '/altbridge/backfill/pause')).status).toBe(409);
    // Jobs a worker already took finish; nothing new is queued while paused.
    await new Promise((r) => setTimeout(r, 1500));
    const held = await status();
    await new Promise((r) => setTimeout(r, 1500));
    const still = await status();
    expect(still.state).toBe('paused');
    expect(still.done + still.failed).toBe(held.done + held.failed);
    expect(still.queued).toBe(0);
    expect(still.done).toBeLessThan(6);

    // A stop and start of the worker (as at a restart) keeps the run where it was.
    const worker = app.strapi.plugin('altbridge').service('consumer');
    await worker.stop();
    worker.start('inline');
    expect((await status()).state).toBe('paused');

    expect((await call(admin, 'POST', '/altbridge/backfill/resume')).body.data.state).toBe('running');
    await waitFor('some progress after resume', async () => ((await status()).done > still.done ? true : undefined), 60_000);
    const cancelled = await call(admin, 'POST', '/altbridge/backfill/cancel');
    expect(cancelled.body.data.state).toBe('cancelled');
    expect((await call(admin, 'POST', '/altbridge/backfill/resume')).status).toBe(409);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await status();
    expect(after.queued).toBe(0);
    expect(after.state).toBe('cancelled');

    // What the cancelled run did not reach is picked up by the next one.
    const again = (await call(admin, 'POST', '/altbridge/backfill')).body.data;
    expect(again.total).toBe(after.lacking);
    const finished = await waitFor(
      'the second run to finish',
      async () => {
        const s = await status();
        return s.state === 'done' ? s : undefined;
      },
      120_000,
    );
    expect(finished.lacking).toBe(0);
  });

  test('a run carries on after Strapi restarts', async () => {
    await bare(4, 'restart');
    // Nothing is consumed until after the restart, so the run is caught in the middle.
    await app.strapi.plugin('altbridge').service('queue').queue().pause();
    const started = (await call(admin, 'POST', '/altbridge/backfill')).body.data;
    expect(started).toMatchObject({ state: 'running', total: 4 });
    await waitFor('a first chunk queued', async () => ((await status()).queued === 2 ? true : undefined));
    await app.restart();
    expect(await status()).toMatchObject({ id: started.id, state: 'running', total: 4, done: 0 });
    await app.strapi.plugin('altbridge').service('queue').queue().resume();
    const done = await waitFor(
      'the run to finish after the restart',
      async () => {
        const s = await status();
        return s.state === 'done' ? s : undefined;
      },
      120_000,
    );
    expect(done).toMatchObject({ id: started.id, total: 4, done: 4, failed: 0, lacking: 0 });
  });

  test('a cancel waits for a job storing its caption, and the caption is kept', async () => {
    const [file] = await bare(1, 'held');
    // The job is held inside storeResult, holding its file's lock, after it read the caption row and before it updates it.
    let reached!: () => void;
    const atStore = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const decorative = app.strapi.plugin('altbridge').service('decorative');
    const has = decorative.has;
    let runId = '';
    const spy = jest.spyOn(decorative, 'has').mockImplementation(async (id: any) => {
      if (id === file.id) {
        reached();
        await gate;
      }
      return has(id);
    });
    try {
      const run = (await call(admin, 'POST', '/altbridge/backfill')).body.data;
      expect(run.total).toBe(1);
      runId = run.id;
      await atStore;
      let answered = false;
      const cancelling = call(admin, 'POST', '/altbridge/backfill/cancel').finally(() => (answered = true));
      // Until the cancel either answers (it did not wait) or waits on a lock: a state of the database, not a delay.
      const locked = async () => Number((await app.strapi.db.connection.raw("select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()")).rows[0].n);
      await waitFor('the cancel to answer or wait on a lock', async () => (answered || (await locked()) > 0 ? true : undefined));
      release();
      expect((await cancelling).body.data.state).toBe('cancelled');
    } finally {
      release();
      spy.mockRestore();
    }
    const row = await captionOf(file.id, ['suggested', 'needs-review']);
    expect(row.text).toBeTruthy();
    // The run's own row, stored by the job's first attempt: not deleted under it and made again by a retry.
    expect(await captionRows(file.id)).toMatchObject([{ batch: runId, text: row.text }]);
    expect((await status()).done).toBe(1);
  });
});

test('the admin API serves the doctor report, checked against this Strapi own Redis and database', async () => {
  const r = await call(admin, 'GET', '/altbridge/doctor');
  expect(r.status).toBe(200);
  const checks = new Map((r.body.data.checks as { name: string; status: string; detail: string }[]).map((c) => [c.name, c]));
  expect(checks.get('redis')?.status).toBe('ok');
  expect(checks.get('postgresql')?.status).toBe('ok');
  // The database checked is the test's own, not the doctor's default.
  expect(checks.get('postgresql')?.detail).toContain(String(app.strapi.config.get('database.connection.connection.database')));
  expect(checks.get('provider:cpu')?.status).toBe('ok');
  expect(typeof r.body.data.ok).toBe('boolean');
}, 60_000);

test("the settings preview captions one image at several M on the worker's engine and stores nothing", async () => {
  const file = await upload(admin, 'preview.png', 'image/png', await png());
  await captionOf(file.id);
  const before = await app.strapi.db.query('plugin::altbridge.caption').count();
  // The inline consumer's engine has the bundle open already: the preview opens no models of its own.
  const opened = jest.spyOn(Captioner, 'open');
  const r = await call(admin, 'POST', '/altbridge/settings/preview', { m: [0, 300, 900], fileId: file.id });
  expect(opened).not.toHaveBeenCalled();
  opened.mockRestore();
  expect(r.status).toBe(200);
  expect(r.body.data.file.id).toBe(file.id);
  expect(r.body.data.rows.map((x: { m: number }) => x.m)).toEqual([0, 300, 900]);
  for (const row of r.body.data.rows) expect(row.caption.length).toBeGreaterThan(0);
  expect(r.body.data.rows[0].steps).toBe(0);
  expect(await app.strapi.db.query('plugin::altbridge.caption').count()).toBe(before);
  expect((await call(admin, 'POST', '/altbridge/settings/preview', { m: [2000] })).status).toBe(400);
  expect((await call(admin, 'POST', '/altbridge/settings/preview', { fileId: 999999 })).status).toBe(404);
}, 60_000);
