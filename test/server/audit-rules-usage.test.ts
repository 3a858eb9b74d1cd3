/**
 * The audit on a real Strapi: the alt-text rules on real rows, where each image is used (an Article
 * with a media field, a repeatable component with one and a dynamic zone with a component nested in
 * it, draft and published), decorative images
 * (never captioned by the upload hook, the backfill or the worker's write-through; unmarked in one
 * call), the daily snapshot and the JSON / HTML exports.
 */
import { Admin, call, upload } from './helpers/http';
import { PUBLISH_DEMONSTRATION, shapesScene } from './helpers/scenes';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

let app: TestApp;
let admin: Admin;

beforeAll(async () => {
  app = await bootApp('auditusage', { ALTBRIDGE_BACKFILL_TICK_MS: '200' });
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

let seed = 900;
const png = () => shapesScene(++seed);
const setAuto = (autoCaption: boolean) => call(admin, 'PUT', '/altbridge/settings', { autoCaption });
const fileRow = (id: number) => app.strapi.db.query('plugin::upload.file').findOne({ where: { id } });
const captionRows = (fileId: number) => app.strapi.db.query('plugin::altbridge.caption').findMany({ where: { fileId } });
const audit = async (query = '') => (await call(admin, 'GET', `/altbridge/audit?pageSize=100${query}`)).body.data;
const itemOf = (report: any, fileId: number) => report.attention.results.find((i: any) => i.fileId === fileId);

const f: Record<string, number> = {};
let published: string;
let draft: string;

beforeAll(async () => {
  await setAuto(false);
  const put = async (key: string, alternativeText?: string) => (f[key] = (await upload(admin, `${key}.png`, 'image/png', await png(), alternativeText === undefined ? {} : { alternativeText })).id);
  await put('fileName', 'IMG_2041.jpg');
  await put('placeholder', 'image');
  await put('leadIn', 'Photo of a red boat');
  await put('missing');
  await put('good', 'A red boat moored in a quiet harbour');
  for (const k of ['team1', 'team2', 'team3']) await put(k, 'Our team');
  await put('plain');
  await put('inZone', 'A LIGHTHOUSE ON A CLIFF');
  await put('inGallery', 'FISHING NETS ON A QUAY');
  await setAuto(true);
  const articles = app.strapi.documents('api::article.article' as never);
  // Published: a cover, and the file-name image in a component; a draft uses the placeholder image.
  published = (await articles.create({ data: { title: 'Harbour news', cover: f.good, figures: [{ image: f.fileName, caption: 'x' }] } as never, status: 'published' } as never)).documentId;
  // A draft uses the placeholder image, and two in a dynamic zone: directly, and in a component nested in it.
  draft = (
    await articles.create({
      data: {
        title: 'Draft',
        cover: f.placeholder,
        sections: [
          { __component: 'shared.figure', image: f.inZone },
          { __component: 'shared.gallery', title: 'Quay', figures: [{ image: f.inGallery }] },
        ],
      } as never,
    } as never)
  ).documentId;
}, 120_000);

describe('rules and usage', () => {
  test('each image breaks the rules its alt text does; good text and nothing else is compliant', async () => {
    const r = await audit();
    expect(itemOf(r, f.fileName).rules).toEqual(['file-name']);
    expect(itemOf(r, f.placeholder).rules).toEqual(['placeholder']);
    expect(itemOf(r, f.leadIn).rules).toEqual(['redundant-lead-in']);
    expect(itemOf(r, f.missing)).toMatchObject({ rules: ['missing'], reasons: ['no-alt-text'], compliant: false });
    for (const k of ['team1', 'team2', 'team3']) expect(itemOf(r, f[k]).rules).toEqual(['duplicate']);
    expect(itemOf(r, f.good)).toBeUndefined();
    expect(r.totals).toMatchObject({ images: 11, compliant: 1, decorative: 0 });
    expect(r.totals.byRule).toMatchObject({ 'file-name': 1, placeholder: 1, 'redundant-lead-in': 1, missing: 2, duplicate: 3, 'all-caps': 2, 'too-long': 0 });
    expect(r.rules.map((x: any) => x.id)).toContain('all-caps');
    for (const rule of r.rules)
      expect(rule).toEqual({
        id: expect.any(String),
        title: expect.any(String),
        explanation: expect.any(String),
        wcag: expect.stringMatching(/^1\.1\.1/),
        url: expect.stringMatching(/^https:\/\/www\.w3\.org\//),
      });
    // Only those breaking the rule asked for; its thresholds are the request's.
    expect((await audit('&rule=duplicate')).attention.results.map((i: any) => i.fileId)).toEqual([f.team1, f.team2, f.team3]);
    expect((await audit('&duplicateMin=4')).totals.byRule.duplicate).toBe(0);
    expect((await audit('&maxLength=30')).totals.byRule['too-long']).toBe(1);
    expect((await call(admin, 'GET', '/altbridge/audit?rule=nope')).status).toBe(400);
    expect((await call(admin, 'GET', '/altbridge/audit?maxLength=5')).status).toBe(400);
  });

  test('usage comes from Strapi relations: a field, a component, a dynamic zone and a component nested in it, draft and published; published first', async () => {
    const r = await audit();
    const order = r.attention.results.map((i: any) => i.fileId);
    // The image on a published entry leads, then those on a draft only, then the unused ones.
    expect(order.slice(0, 4)).toEqual([f.fileName, f.placeholder, f.inZone, f.inGallery]);
    expect(itemOf(r, f.fileName)).toMatchObject({ entries: 1, publishedEntries: 1 });
    expect(itemOf(r, f.fileName).usedIn).toEqual([
      { contentType: 'api::article.article', contentTypeName: 'Article', kind: 'collectionType', documentId: published, field: 'figures.image', published: true },
    ]);
    expect(itemOf(r, f.placeholder)).toMatchObject({ entries: 1, publishedEntries: 0 });
    expect(itemOf(r, f.placeholder).usedIn).toEqual([expect.objectContaining({ documentId: draft, field: 'cover', published: false })]);
    expect(itemOf(r, f.leadIn)).toMatchObject({ entries: 0, publishedEntries: 0, usedIn: [] });
    // A dynamic zone, and a component nested in one, reach the entry too.
    expect(itemOf(r, f.inZone).usedIn).toEqual([expect.objectContaining({ documentId: draft, field: 'sections.image', published: false })]);
    expect(itemOf(r, f.inGallery).usedIn).toEqual([expect.objectContaining({ documentId: draft, field: 'sections.figures.image', published: false })]);
    expect(r.byContentType).toEqual([{ contentType: 'api::article.article', contentTypeName: 'Article', images: 5, compliant: 1 }]);
  });
});

describe('decorative images', () => {
  test('marked with a reason, counted compliant; a person’s alt text is never removed for it; unmarked in one call', async () => {
    expect((await call(admin, 'PUT', `/altbridge/decorative/${f.plain}`, { reason: '  ' })).status).toBe(400);
    const marked = await call(admin, 'PUT', `/altbridge/decorative/${f.plain}`, { reason: 'Background texture' });
    expect(marked.status).toBe(200);
    expect(marked.body.data).toMatchObject({ reason: 'Background texture', markedBy: 'Ed Itor 1' });
    let r = await audit('&rule=');
    expect(itemOf(r, f.plain)).toBeUndefined();
    expect(r.coverage.decorative).toBe(1);
    expect(r.totals).toMatchObject({ decorative: 1, compliant: 2 });
    expect((await audit('&decorative=true')).attention.results.map((i: any) => [i.fileId, i.decorative.reason])).toEqual([[f.plain, 'Background texture']]);
    const human = await call(admin, 'PUT', `/altbridge/decorative/${f.good}`, { reason: 'nope' });
    expect(human.status).toBe(409);
    expect((await fileRow(f.good)).alternativeText).toBe('A red boat moored in a quiet harbour');
    expect((await call(admin, 'PUT', '/altbridge/decorative/999999', { reason: 'x' })).status).toBe(404);

    // The export names the mark.
    const json = (await call(admin, 'GET', '/altbridge/audit/export?format=json')).body;
    expect(json.items.find((i: any) => i.fileId === f.plain)).toMatchObject({ kind: 'decorative', compliant: true, rules: [], decorative: { reason: 'Background texture' } });

    expect((await call(admin, 'DELETE', `/altbridge/decorative/${f.plain}`)).status).toBe(200);
    expect((await call(admin, 'DELETE', `/altbridge/decorative/${f.plain}`)).status).toBe(404);
    r = await audit();
    expect(itemOf(r, f.plain)).toMatchObject({ kind: 'none', rules: ['missing'], decorative: null });
    expect((await call(admin, 'PUT', `/altbridge/decorative/${f.plain}`, { reason: 'Background texture' })).status).toBe(200);
  });

  test('the upload hook does not caption a decorative image whose content is replaced', async () => {
    await upload(admin, 'plain.png', 'image/png', await png(), {}, f.plain);
    // A control replaced at the same time is captioned: by then the decorative one would have been too.
    await upload(admin, 'missing.png', 'image/png', await png(), {}, f.missing);
    await waitFor('the control caption', async () => ((await captionRows(f.missing))[0]?.status === 'suggested' ? true : undefined), 60_000);
    expect(await captionRows(f.plain)).toEqual([]);
    expect((await fileRow(f.plain)).alternativeText ?? '').toBe('');
  });

  test('the backfill leaves decorative images out', async () => {
    await setAuto(false);
    const bare = (await upload(admin, 'bare.png', 'image/png', await png())).id;
    await setAuto(true);
    const started = (await call(admin, 'POST', '/altbridge/backfill')).body.data;
    expect(started.total).toBe(1);
    await waitFor('the backfill to finish', async () => ((await call(admin, 'GET', '/altbridge/backfill')).body.data.state === 'done' ? true : undefined), 60_000);
    expect((await captionRows(bare))[0]).toMatchObject({ status: 'suggested' });
    expect(await captionRows(f.plain)).toEqual([]);
  });

  test('marking takes the plugin’s own caption off the file; a later caption is kept for review, never written', async () => {
    const m = (await upload(admin, 'machine.png', 'image/png', await png())).id;
    const row = await waitFor('a caption on the file', async () => {
      const [c] = await captionRows(m);
      return c?.status === 'suggested' && (await fileRow(m)).alternativeText === c.text ? c : undefined;
    });
    expect((await call(admin, 'PUT', `/altbridge/decorative/${m}`, { reason: 'Divider' })).status).toBe(200);
    expect((await fileRow(m)).alternativeText).toBe('');
    expect((await call(admin, 'POST', `/altbridge/captions/${row.documentId}/regenerate`, {})).status).toBe(200);
    await waitFor('the regenerated caption', async () => ((await captionRows(m))[0]?.status === 'suggested' ? true : undefined), 60_000);
    expect((await fileRow(m)).alternativeText).toBe('');
    expect(itemOf(await audit('&reason=unreviewed'), m)).toBeUndefined();
    // Nor does an editor's approval, edit or bulk approval write it while the mark stands.
    const approve = await call(admin, 'POST', `/altbridge/captions/${row.documentId}/approve`, {});
    expect(approve.status).toBe(409);
    expect(approve.body.error.message).toMatch(/marked decorative/);
    expect((await call(admin, 'PUT', `/altbridge/captions/${row.documentId}`, { text: 'a thin grey line' })).status).toBe(409);
    const bulk = await call(admin, 'POST', '/altbridge/captions/bulk-approve', { ids: [row.documentId] });
    expect(bulk.body.data).toMatchObject({ approved: [], skipped: [{ id: row.documentId, fileId: m, reason: 'decorative' }] });
    expect((await fileRow(m)).alternativeText).toBe('');
    expect((await captionRows(m))[0].status).toBe('suggested');
  });
});

describe('progress and exports', () => {
  test("each audit stores today's totals; the history has them", async () => {
    const r = await audit();
    const today = new Date().toISOString().slice(0, 10);
    expect(r.history[r.history.length - 1]).toEqual({ day: today, totals: r.totals });
    const rows = await app.strapi.db.connection('altbridge_audit_snapshots').select('day');
    expect(rows).toHaveLength(1);
    // The daily job writes the same row.
    expect(await app.strapi.plugin('altbridge').service('audit').snapshotNow()).toEqual(r.totals);
    expect(await app.strapi.db.connection('altbridge_audit_snapshots').count({ n: '*' })).toEqual([{ n: '1' }]);
    // A what-if audit with its own thresholds ("too long" above 30 characters) leaves the day's figure alone.
    const whatIf = await audit('&maxLength=30');
    expect(whatIf.totals).not.toEqual(r.totals);
    expect(whatIf.history[whatIf.history.length - 1]).toEqual({ day: today, totals: r.totals });
  });

  test('the HTML report is one self-contained file: summary, rules, content types, chart, thumbnails', async () => {
    const res = await fetch(`${app.baseUrl}/altbridge/audit/export?format=html`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="alt-text-audit-\d{4}-\d\d-\d\d\.html"$/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    for (const part of ['<h2>Summary</h2>', '<h2>Rules</h2>', '<h2>Per content type</h2>', '<h2>Progress</h2>', '<svg', 'Article', 'IMG_2041.jpg', 'Background texture']) expect(html).toContain(part);
    expect((html.match(/<img class="thumb" src="data:image\/jpeg;base64,/g) ?? []).length).toBeGreaterThanOrEqual(9);
    // Nothing to fetch: no URL but the WCAG links.
    expect(html.match(/(?:src|href)="(?!data:|https:\/\/www\.w3\.org\/)[^"]*"/g)).toBeNull();
    expect((await call(admin, 'GET', '/altbridge/audit/export?format=pdf')).status).toBe(400);
  });
});
