/**
 * The plugin end to end on a real Strapi, PostgreSQL and Redis: uploads through the admin upload
 * API are captioned by the inline worker with the default bundle, and the admin routes review them.
 * Where a test needs a caption run to stay in progress, a hook on Captioner.caption holds it.
 */
import { Captioner } from '../../worker/caption';
import { loadBundle } from '../../worker/bundle/load';
import { Admin, call, upload } from './helpers/http';
import { emojiFace, PUBLISH_DEMONSTRATION, shapesScene } from './helpers/scenes';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

let app: TestApp;
let admin: Admin;
const SHIPPED = loadBundle('shapes-mini').manifest;
/** The default bundle's calibrated quality threshold. */
const SHAPES_MINI_T = SHIPPED.quality!.threshold;
/** The depth shapes-mini was tuned at: what the default settings (m null) caption with. */
const SHAPES_MINI_M = SHIPPED.diffusion.defaultM;
const SHAPES_MINI_REF = `shapes-mini@${SHIPPED.version}`;

beforeAll(async () => {
  app = await bootApp('captions');
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
  // The default bundle is a demonstration: these tests of the write-through rule need it to write.
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

afterEach(() => jest.restoreAllMocks());

/** Holds every caption run of the image named `name` until release() (Strapi runs in this process, so the hook reaches its worker). */
function hold(name: string): { release: () => void } {
  const real = Captioner.prototype.caption;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  jest.spyOn(Captioner.prototype, 'caption').mockImplementation(async function (this: Captioner, sources, o) {
    if (sources.some((s) => typeof s !== 'string' && s.name === name)) await held;
    return real.call(this, sources, o);
  });
  return { release };
}

const fileRow = (id: number) => app.strapi.db.query('plugin::upload.file').findOne({ where: { id } });

/** The caption of a file through the admin API, once it has reached one of `statuses`. */
async function captionOf(fileId: number, statuses = ['suggested'], timeoutMs = 30_000): Promise<any> {
  return waitFor(
    `a ${statuses.join('/')} caption for file ${fileId}`,
    async () => {
      const { body } = await call(admin, 'GET', '/altbridge/captions?pageSize=100');
      const row = body.data.results.find((r: any) => r.fileId === fileId);
      return row && statuses.includes(row.status) ? row : undefined;
    },
    timeoutMs,
  );
}

describe('uploads are captioned', () => {
  let plain: any;
  let withAlt: any;

  test('an image uploaded without alt text gets a caption, written to alternativeText', async () => {
    plain = await upload(admin, 'red-circle.png', 'image/png', await shapesScene(1));
    // The upload answers before the model runs: the file has no alt text yet.
    expect(plain.alternativeText ?? null).toBeNull();
    const caption = await captionOf(plain.id);
    console.log(`upload -> caption "${caption.text}" (confidence ${caption.confidence.toFixed(2)})`);
    expect(caption.text).toMatch(/\w+/);
    expect(caption).toMatchObject({
      status: 'suggested',
      source: 'machine',
      bundle: 'shapes-mini',
      bundleVersion: SHIPPED.version,
      m: SHAPES_MINI_M,
      steps: SHAPES_MINI_M === 0 ? 0 : 5,
      beam: 3,
      altTextFromPlugin: true,
    });
    expect(Object.keys(caption.timings).sort()).toEqual(['bridge', 'clip', 'decoder', 'preprocess']);
    expect((await fileRow(plain.id)).alternativeText).toBe(caption.text);
  });

  test('an image uploaded with alt text keeps it; the caption is stored beside it', async () => {
    withAlt = await upload(admin, 'blue-square.png', 'image/png', await shapesScene(2), { alternativeText: 'Our logo on a yellow card' });
    const caption = await captionOf(withAlt.id);
    expect(caption.text).toMatch(/\w+/);
    expect(caption.altTextFromPlugin).toBe(false);
    expect((await fileRow(withAlt.id)).alternativeText).toBe('Our logo on a yellow card');
  });

  test('editing and approving write through to alternativeText and record reviewer and history', async () => {
    const machine = await captionOf(plain.id);
    const edited = await call(admin, 'PUT', `/altbridge/captions/${machine.documentId}`, { text: 'A red circle on white.' });
    expect(edited.status).toBe(200);
    expect(edited.body.data).toMatchObject({ text: 'A red circle on white.', status: 'edited', source: 'human', reviewedBy: 'Ed Itor 1' });
    expect(edited.body.data.reviewedAt).toBeTruthy();
    expect(edited.body.data.history).toEqual([expect.objectContaining({ text: machine.text, source: 'machine', by: 'Ed Itor 1' })]);
    expect((await fileRow(plain.id)).alternativeText).toBe('A red circle on white.');

    // Approving the machine caption of the file whose alt text a person wrote: only once the editor saw that text.
    const other = await captionOf(withAlt.id);
    // Saving the machine's caption unchanged from the edit box is no way round it.
    const unchanged = await call(admin, 'PUT', `/altbridge/captions/${other.documentId}`, { text: other.text });
    expect([unchanged.status, unchanged.body.error?.details]).toEqual([409, { alternativeText: 'Our logo on a yellow card' }]);
    expect((await fileRow(withAlt.id)).alternativeText).toBe('Our logo on a yellow card');
    const unconfirmed = await call(admin, 'POST', `/altbridge/captions/${other.documentId}/approve`);
    expect([unconfirmed.status, unconfirmed.body.error.details]).toEqual([409, { alternativeText: 'Our logo on a yellow card' }]);
    expect((await fileRow(withAlt.id)).alternativeText).toBe('Our logo on a yellow card');
    expect((await call(admin, 'POST', `/altbridge/captions/${other.documentId}/approve`, { replaceHumanText: 'yes' })).status).toBe(400);
    const approved = await call(admin, 'POST', `/altbridge/captions/${other.documentId}/approve`, { replaceHumanText: true });
    expect(approved.status).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'approved', text: other.text, reviewedBy: 'Ed Itor 1' });
    expect((await fileRow(withAlt.id)).alternativeText).toBe(other.text);

    expect((await call(admin, 'PUT', `/altbridge/captions/${machine.documentId}`, { text: 42 })).status).toBe(400);
    expect((await call(admin, 'GET', '/altbridge/captions/no-such-caption')).status).toBe(404);
  });

  test("regenerate with another M stores the new M and never replaces the editor's alt text", async () => {
    const before = await captionOf(plain.id, ['edited']);
    const res = await call(admin, 'POST', `/altbridge/captions/${before.documentId}/regenerate`, { m: 200, steps: 2 });
    expect(res.status).toBe(200);
    expect(res.body.data.jobId).toMatch(/^regen-/);
    const after = await waitFor('the regenerated caption', async () => {
      const { body } = await call(admin, 'GET', `/altbridge/captions/${before.documentId}`);
      return body.data.status === 'suggested' && body.data.m === 200 ? body.data : undefined;
    });
    expect(after).toMatchObject({ m: 200, steps: 2, source: 'machine', altTextFromPlugin: false });
    expect(after.history.map((h: any) => h.text)).toEqual([before.history[0].text, 'A red circle on white.']);
    expect((await fileRow(plain.id)).alternativeText).toBe('A red circle on white.');
    // M and S are checked by the engine's bridging schedule before anything is queued.
    for (const bad of [{ m: 5000 }, { m: 10, steps: 20 }, { steps: 5000 }, { m: 'deep' }, { m: 2.5 }]) {
      const refused = await call(admin, 'POST', `/altbridge/captions/${before.documentId}/regenerate`, bad);
      expect([bad, refused.status]).toEqual([bad, 400]);
    }
    const overM = await call(admin, 'POST', `/altbridge/captions/${before.documentId}/regenerate`, { m: 10, steps: 20 });
    expect(overM.body.error.message).toBe('DDIM steps must be a whole number from 1 to 10, got 20');
    const overCap = await call(admin, 'POST', `/altbridge/captions/${before.documentId}/regenerate`, { m: 1000, steps: 51 });
    expect([overCap.status, overCap.body.error.message]).toEqual([400, 'steps must be a whole number from 1 to 50, got 51']);
    expect((await call(admin, 'GET', `/altbridge/captions/${before.documentId}`)).body.data.status).toBe('suggested');
  });

  test('a second regenerate while one is pending answers the pending job (409 at other M / S) and queues nothing', async () => {
    const file = await upload(admin, 'regen-twice.png', 'image/png', await shapesScene(3));
    const caption = await captionOf(file.id);
    const { release } = hold('regen-twice.png');
    const regenerate = (body: object) => call(admin, 'POST', `/altbridge/captions/${caption.documentId}/regenerate`, body);
    const regenerated = (m: number) =>
      waitFor(`the caption regenerated at M = ${m}`, async () => {
        const { body } = await call(admin, 'GET', `/altbridge/captions/${caption.documentId}`);
        return body.data.status === 'suggested' && body.data.m === m ? true : undefined;
      });
    let first: string;
    try {
      const res = await regenerate({ m: 400, steps: 4 });
      expect(res.status).toBe(200);
      first = res.body.data.jobId;
      const again = await regenerate({ m: 400, steps: 4 });
      expect([again.status, again.body.data.jobId]).toEqual([200, first]);
      const other = await regenerate({ m: 200 });
      expect([other.status, other.body.error.message]).toEqual([409, `file ${file.id} already has a regenerate pending (job ${first}) at other M / S: wait for it to finish`]);
      const jobs = await app.strapi.plugin('altbridge').service('queue').queue().getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
      expect(jobs.filter((j: any) => j.data.fileId === file.id && j.id.startsWith('regen-')).map((j: any) => j.id)).toEqual([first]);
    } finally {
      release();
    }
    await regenerated(400);
    // Once it has run, a regenerate queues a new job.
    const next = await regenerate({ m: 200 });
    expect(next.status).toBe(200);
    expect(next.body.data.jobId).not.toBe(first);
    await regenerated(200);
  });

  test('a non-image upload is ignored', async () => {
    const doc = await upload(admin, 'notes.txt', 'text/plain', Buffer.from('not a picture\n'));
    // A later image is captioned, so the queue has moved past the text file.
    const next = await upload(admin, 'green-circle.png', 'image/png', await shapesScene(4));
    await captionOf(next.id);
    const { body } = await call(admin, 'GET', '/altbridge/captions?pageSize=100');
    expect(body.data.results.some((r: any) => r.fileId === doc.id)).toBe(false);
    const jobs = await app.strapi.plugin('altbridge').service('queue').queue().getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(jobs.some((j: any) => j.data.fileId === doc.id)).toBe(false);
  });

  test('a corrupt image fails with a readable reason and the queue keeps moving', async () => {
    const broken = await upload(admin, 'broken.png', 'image/png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
    const failed = await captionOf(broken.id, ['failed']);
    console.log(`corrupt image: ${failed.error}`);
    expect(failed.error).toMatch(/\w+/);
    expect(failed.text).toBeNull();
    const dead = await call(admin, 'GET', '/altbridge/jobs/failed');
    expect(dead.body.data.jobs).toEqual([expect.objectContaining({ fileId: broken.id, reason: expect.stringContaining('unreadable image'), attemptsMade: 1 })]);

    const next = await upload(admin, 'yellow-square.png', 'image/png', await shapesScene(5));
    expect((await captionOf(next.id)).text).toMatch(/\w+/);
  });

  test("reject takes the plugin's own text off the file; filters and bulk approve", async () => {
    const uploaded = await upload(admin, 'white-circle.png', 'image/png', await shapesScene(6));
    const caption = await captionOf(uploaded.id);
    expect((await fileRow(uploaded.id)).alternativeText).toBe(caption.text);
    const rejected = await call(admin, 'POST', `/altbridge/captions/${caption.documentId}/reject`);
    expect(rejected.body.data).toMatchObject({ status: 'rejected', reviewedBy: 'Ed Itor 1' });
    expect((await fileRow(uploaded.id)).alternativeText).toBe('');

    const missing = await call(admin, 'GET', '/altbridge/captions?missingAlt=true');
    expect(missing.body.data.results.map((r: any) => r.fileId)).toEqual(expect.arrayContaining([uploaded.id]));
    expect(missing.body.data.results.every((r: any) => !r.file.alternativeText)).toBe(true);
    const suggested = await call(admin, 'GET', '/altbridge/captions?status=suggested&pageSize=1');
    expect(suggested.body.data.pagination).toMatchObject({ page: 1, pageSize: 1 });
    expect(suggested.body.data.pagination.total).toBeGreaterThanOrEqual(2);
    const low = await call(admin, 'GET', '/altbridge/captions?maxConfidence=-1000');
    expect(low.body.data.results).toEqual([]);

    const suggestedRows = (await call(admin, 'GET', '/altbridge/captions?status=suggested&pageSize=100')).body.data.results;
    const bulk = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: suggestedRows.map((r: any) => r.documentId) });
    expect(bulk.status).toBe(200);
    // The regenerated caption of the file an editor wrote alt text for needs its own confirmation.
    const human = suggestedRows.filter((r: any) => r.file.alternativeText && !r.altTextFromPlugin && r.file.alternativeText !== r.text);
    expect(human.length).toBeGreaterThanOrEqual(1);
    expect(bulk.body.data.skipped).toEqual(human.map((r: any) => ({ id: r.documentId, fileId: r.fileId, reason: 'human-alt-text' })));
    expect(bulk.body.data.approved).toHaveLength(suggestedRows.length - human.length);
    expect(bulk.body.data.approved.every((r: any) => r.status === 'approved')).toBe(true);
    for (const r of human) expect((await fileRow(r.fileId)).alternativeText).toBe(r.file.alternativeText);
  });

  test("replacing a file's content captions the new image (same file, same caption row)", async () => {
    const original = await upload(admin, 'black-square.png', 'image/png', await shapesScene(7));
    const first = await captionOf(original.id);
    const replaced = await upload(admin, 'orange-circle.png', 'image/png', await shapesScene(8), {}, original.id);
    expect(replaced.id).toBe(original.id);
    const second = await waitFor('the caption of the new content', async () => {
      const { body } = await call(admin, 'GET', `/altbridge/captions/${first.documentId}`);
      return body.data.status === 'suggested' && body.data.history.length === 1 ? body.data : undefined;
    });
    expect(second.history[0].text).toBe(first.text);
    // The plugin wrote the first caption, so the new one replaces it on the file.
    expect((await fileRow(original.id)).alternativeText).toBe(second.text);
  });

  test('a caption run past the job time limit fails with the reason, and the next job is captioned', async () => {
    const config = app.strapi.config.get('plugin::altbridge') as { jobTimeoutMs: number };
    const limit = config.jobTimeoutMs;
    config.jobTimeoutMs = 1000;
    const { release } = hold('stuck.png');
    try {
      const stuck = await upload(admin, 'stuck.png', 'image/png', await shapesScene(9));
      const failed = await captionOf(stuck.id, ['failed']);
      expect(failed.error).toBe('took longer than 1 s');
      const dead = (await call(admin, 'GET', '/altbridge/jobs/failed')).body.data.jobs;
      expect(dead).toContainEqual(expect.objectContaining({ fileId: stuck.id, reason: 'timed out: took longer than 1 s', attemptsMade: 1 }));
      // The stuck run still holds its place in the engine; the next job does not wait for it.
      const next = await upload(admin, 'after-stuck.png', 'image/png', await shapesScene(10));
      expect((await captionOf(next.id)).text).toMatch(/\w+/);
    } finally {
      release();
      config.jobTimeoutMs = limit;
    }
  });
});

describe('settings', () => {
  test('are validated, and the worker captions with them', async () => {
    const current = (await call(admin, 'GET', '/altbridge/settings')).body.data;
    expect(current).toEqual({ m: null, steps: 5, beam: 3, maxTokens: null, autoCaption: true, bundle: SHAPES_MINI_REF, autoWrite: true, ...PUBLISH_DEMONSTRATION });
    expect((await call(admin, 'GET', '/altbridge/bundles')).body.data).toContain(SHAPES_MINI_REF);
    for (const bad of [
      { m: 1001 },
      { m: 10, steps: 20 },
      { beam: 0 },
      { bundle: 'nope@1' },
      { autoCaption: 'yes' },
      { colour: 'red' },
      { autoWrite: 1 },
      { allowDemonstration: 'on' },
      { minQuality: 1.5 },
      { minQuality: -0.1 },
      { minQuality: '0.9' },
    ]) {
      expect([bad, (await call(admin, 'PUT', '/altbridge/settings', bad)).status]).toEqual([bad, 400]);
    }
    const saved = await call(admin, 'PUT', '/altbridge/settings', { m: 300, steps: 3, beam: 1 });
    expect(saved.body.data).toMatchObject({ m: 300, steps: 3, beam: 1 });
    const file = await upload(admin, 'red-square.png', 'image/png', await shapesScene(11));
    expect(await captionOf(file.id)).toMatchObject({ m: 300, steps: 3, beam: 1 });
    // Back to the bundle's own depth.
    expect((await call(admin, 'PUT', '/altbridge/settings', { m: null, steps: 5, beam: 3 })).body.data).toMatchObject({ m: null, steps: 5, beam: 3 });
    const again = await upload(admin, 'red-square-2.png', 'image/png', await shapesScene(12));
    expect(await captionOf(again.id)).toMatchObject({ m: SHAPES_MINI_M, beam: 3 });
  });

  test('GET /limits answers the limits the server checks and the low-confidence threshold in force', async () => {
    const limits = (await call(admin, 'GET', '/altbridge/limits')).body.data;
    expect(limits).toEqual({
      settings: { m: [0, 1000], steps: [1, 50], beam: [1, 8], maxTokens: [1, 77] },
      defaults: { m: null, steps: 5, beam: 3, maxTokens: null, autoCaption: true, autoWrite: true, minQuality: null, allowDemonstration: false },
      finetune: { steps: [1, 100000], draws: [1, 16], defaultSteps: 2000, defaultDraws: 4 },
      preview: { maxDepths: 8, depths: [0, 200, 400, 600, 800] },
      captionMaxText: 2000,
      corpusMaxBytes: 50 * 1024 * 1024,
      lowConfidence: -1.5,
      quality: [0, 1],
      // This file's settings turned the quality bar off; the bundle's own threshold is the default.
      minQuality: 0,
      bundle: { ref: SHAPES_MINI_REF, description: expect.stringContaining('demonstration only'), demonstration: true, threshold: SHAPES_MINI_T, defaultM: SHAPES_MINI_M },
    });
    // The ends of each range are accepted by the server, one step past them refused.
    const current = (await call(admin, 'GET', '/altbridge/settings')).body.data;
    for (const key of ['m', 'beam', 'maxTokens'] as const) {
      const [lo, hi] = limits.settings[key];
      for (const v of [lo, hi]) expect([key, v, (await call(admin, 'PUT', '/altbridge/settings', { [key]: v, steps: 1 })).status]).toEqual([key, v, 200]);
      for (const v of [lo - 1, hi + 1]) expect([key, v, (await call(admin, 'PUT', '/altbridge/settings', { [key]: v })).status]).toEqual([key, v, 400]);
    }
    // M is at its top (1000) now: S up to the cap is accepted, one past it refused.
    const [, maxSteps] = limits.settings.steps;
    expect((await call(admin, 'PUT', '/altbridge/settings', { steps: maxSteps })).status).toBe(200);
    expect((await call(admin, 'PUT', '/altbridge/settings', { steps: maxSteps + 1 })).body.error.message).toBe(`steps must be a whole number from 1 to ${maxSteps}, got ${maxSteps + 1}`);
    expect((await call(admin, 'PUT', '/altbridge/settings', current)).status).toBe(200);
  });

  test('auto-captioning off: uploads are not queued', async () => {
    await call(admin, 'PUT', '/altbridge/settings', { autoCaption: false });
    const file = await upload(admin, 'blue-circle.png', 'image/png', await shapesScene(12));
    await call(admin, 'PUT', '/altbridge/settings', { autoCaption: true });
    // Once a later upload is captioned, the first one would have been queued before it.
    const later = await upload(admin, 'blue-square.png', 'image/png', await shapesScene(13));
    await captionOf(later.id);
    const jobs = await app.strapi.plugin('altbridge').service('queue').queue().getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(jobs.some((j: any) => j.data.fileId === file.id)).toBe(false);
    expect((await fileRow(file.id)).alternativeText).toBeNull();
  });
});

describe('publishing policy', () => {
  beforeAll(async () => {
    // The defaults: a demonstration bundle never writes on its own; the bundle's calibrated threshold.
    expect((await call(admin, 'PUT', '/altbridge/settings', { autoWrite: true, allowDemonstration: false, minQuality: null })).status).toBe(200);
  });

  const settle = (fileId: number) => captionOf(fileId, ['suggested', 'needs-review']);

  test('an out-of-domain image needs review and its caption is never written', async () => {
    const file = await upload(admin, 'emoji.png', 'image/png', await emojiFace());
    const caption = await settle(file.id);
    expect(caption).toMatchObject({ status: 'needs-review', reviewReason: 'out-of-domain', domainVerdict: 'out', altTextFromPlugin: false });
    expect(caption.text).toMatch(/\w+/);
    expect((await fileRow(file.id)).alternativeText ?? '').toBe('');
    const listed = await call(admin, 'GET', '/altbridge/captions?status=needs-review&pageSize=100');
    expect(listed.body.data.results.map((r: any) => r.fileId)).toContain(file.id);
  });

  /** The first generated scene (seeds from 101) the default bundle, at the default settings, captions in domain and at or above T. */
  async function sceneAboveThreshold(): Promise<Buffer> {
    const captioner = await Captioner.open(loadBundle('shapes-mini'));
    try {
      for (let seed = 101; seed < 401; seed++) {
        const png = await shapesScene(seed);
        const [r] = await captioner.caption([{ name: `scene-${seed}.png`, data: png }]);
        if ('quality' in r && r.quality !== null && r.quality >= SHAPES_MINI_T && r.domain.verdict === 'in') return png;
      }
    } finally {
      await captioner.close();
    }
    throw new Error(`no scene from seeds 101 to 400 is captioned at or above T = ${SHAPES_MINI_T}`);
  }

  test('a ShapesWorld scene from the demonstration bundle is written only once an admin allows it', async () => {
    const file = await upload(admin, 'scene-demo.png', 'image/png', await sceneAboveThreshold());
    const withheld = await settle(file.id);
    // The default bundle carries a calibration, so the caption has a quality estimate.
    expect(withheld).toMatchObject({ status: 'needs-review', reviewReason: 'demonstration', domainVerdict: 'in', quality: expect.any(Number) });
    expect((await fileRow(file.id)).alternativeText ?? '').toBe('');

    // Demonstration allowed, but a quality bar above every estimate: still withheld, as low quality.
    await call(admin, 'PUT', '/altbridge/settings', { allowDemonstration: true, minQuality: 1 });
    const regenerated = (reason: string | null) =>
      waitFor(`caption of file ${file.id} with review reason ${reason}`, async () => {
        const { body } = await call(admin, 'GET', `/altbridge/captions/${withheld.documentId}`);
        return body.data.status !== 'queued' && body.data.reviewReason === reason ? body.data : undefined;
      });
    await call(admin, 'POST', `/altbridge/captions/${withheld.documentId}/regenerate`, {});
    expect(await regenerated('low-quality')).toMatchObject({ status: 'needs-review' });
    expect((await fileRow(file.id)).alternativeText ?? '').toBe('');

    // The bundle's calibrated threshold T again: this scene's caption is above it, so it is written.
    expect(withheld.quality).toBeGreaterThanOrEqual(SHAPES_MINI_T);
    await call(admin, 'PUT', '/altbridge/settings', { minQuality: null });
    await call(admin, 'POST', `/altbridge/captions/${withheld.documentId}/regenerate`, {});
    const written = await regenerated(null);
    expect(written).toMatchObject({ status: 'suggested', altTextFromPlugin: true, quality: withheld.quality });
    expect((await fileRow(file.id)).alternativeText).toBe(written.text);

    // The image replaced by one outside the domain: the plugin's text about the old image goes too.
    await upload(admin, 'emoji-replacement.png', 'image/png', await emojiFace(), {}, file.id);
    expect(await regenerated('out-of-domain')).toMatchObject({ status: 'needs-review', altTextFromPlugin: false });
    expect((await fileRow(file.id)).alternativeText).toBe('');
  });

  test('with auto-write off a caption stays a suggestion', async () => {
    // Everything else lets the caption through: only auto-write holds it back.
    await call(admin, 'PUT', '/altbridge/settings', { autoWrite: false, allowDemonstration: true, minQuality: 0 });
    try {
      const file = await upload(admin, 'scene-no-write.png', 'image/png', await shapesScene(102));
      expect(await settle(file.id)).toMatchObject({ status: 'suggested', reviewReason: null, altTextFromPlugin: false });
      expect((await fileRow(file.id)).alternativeText ?? '').toBe('');
    } finally {
      await call(admin, 'PUT', '/altbridge/settings', { autoWrite: true, allowDemonstration: false, minQuality: null });
    }
  });

  test('bulk approve skips human alt text and out-of-domain captions unless asked, and says why', async () => {
    // The demonstration bundle allowed to write, so that an in-domain caption is a plain suggestion.
    await call(admin, 'PUT', '/altbridge/settings', { allowDemonstration: true, minQuality: 0 });
    const human = await upload(admin, 'scene-human.png', 'image/png', await shapesScene(103), { alternativeText: 'A person wrote this' });
    const outside = await upload(admin, 'emoji-bulk.png', 'image/png', await emojiFace());
    const plain = await upload(admin, 'scene-bulk.png', 'image/png', await shapesScene(104));
    const [h, o, p] = [await settle(human.id), await settle(outside.id), await settle(plain.id)];
    expect([h.status, o.reviewReason, p.status]).toEqual(['suggested', 'out-of-domain', 'suggested']);

    const first = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: [h.documentId, o.documentId, p.documentId] });
    expect(first.status).toBe(200);
    expect(first.body.data.approved.map((r: any) => r.documentId)).toEqual([p.documentId]);
    expect(first.body.data.skipped).toEqual([
      { id: h.documentId, fileId: human.id, reason: 'human-alt-text' },
      { id: o.documentId, fileId: outside.id, reason: 'out-of-domain' },
    ]);
    expect((await fileRow(human.id)).alternativeText).toBe('A person wrote this');
    expect((await fileRow(outside.id)).alternativeText ?? '').toBe('');

    const asked = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: [h.documentId, o.documentId], includeOutOfDomain: true });
    expect(asked.body.data.approved.map((r: any) => [r.documentId, r.status])).toEqual([[o.documentId, 'approved']]);
    expect(asked.body.data.skipped).toEqual([{ id: h.documentId, fileId: human.id, reason: 'human-alt-text' }]);
    expect((await fileRow(outside.id)).alternativeText).toBe(o.text);
    expect((await fileRow(human.id)).alternativeText).toBe('A person wrote this');
  });
});
