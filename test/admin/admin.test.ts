/**
 * The plugin's admin panel in a real browser (Debian's chromium through playwright-core): the
 * example app's admin is built once with the plugin's admin entry from source, Strapi serves it on
 * a fresh database, images are uploaded and captioned by the inline worker, and an editor logs in,
 * opens the plugin from the menu (the demonstration bundle's notice, an out-of-domain image held for
 * review), edits the caption (written through to the file's alt text), confirms approving over a
 * person's alt text, and changes M and the publishing policy in Settings; then the other pages: the
 * accessibility audit (figures as the API's, the progress chart, usage links, marking an image
 * decorative and unmarking it, a CSV export, the HTML report opened offline and printed), a backfill
 * started from the page, the host check, a corpus upload on Fine-tuning (no training run: the server
 * tests cover runs), the bundle versions, the failed-jobs view, and with the worker stopped the
 * no-worker banner and Host check's missing worker (then the worker listed once it runs again). Every
 * page and state it shows, the HTML report too, has no serious or critical axe-core violation. One admin
 * build and one Strapi boot for the file. Screenshots go to test-artifacts/admin/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { loadBundle } from '../../worker/bundle/load';
import { Admin, call, upload } from '../server/helpers/http';
import { emojiFace, PUBLISH_DEMONSTRATION, shapesScene } from '../server/helpers/scenes';
import { BuiltApp, buildExampleApp } from './helpers/admin-build';
import { seriousViolations } from './helpers/axe';
import { bootApp, TestApp, waitFor } from '../server/helpers/strapi-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'admin');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FILE_NAME = 'scene-a.png';
/**
 * Configured on the server; the panel must show it, not a copy of its own. So high (exp(-0.01) = 99 %)
 * that every machine caption here is below it and carries the badge.
 */
const LOW_CONFIDENCE = -0.01;
const OTHER_NAME = 'scene-b.png';
/** Out of the default bundle's domain: held for review, never written. */
const OUTSIDE_NAME = 'emoji.png';
/** The bridging depth shapes-mini was tuned at: what settings with m null caption with. */
const SHIPPED = loadBundle('shapes-mini').manifest;
const BUNDLE_M = SHIPPED.diffusion.defaultM;
const SHAPES_MINI_REF = `shapes-mini@${SHIPPED.version}`;
const DEMONSTRATION_NOTICE = 'Demonstration bundle: synthetic ShapesWorld scenes — demonstration only.';

let built: BuiltApp;
let app: TestApp;
let admin: Admin;
let login: { email: string; password: string };
let profile: string;
let context: BrowserContext;
let page: Page;
let fileId: number;
let outsideId: number;
let caption: any;

/** The caption of a file through the admin API, once it is `status`. */
async function captionOf(id: number, status = 'suggested'): Promise<any> {
  return waitFor(`a ${status} caption for file ${id}`, async () => {
    const { body } = await call(admin, 'GET', '/altbridge/captions?pageSize=100');
    return body.data.results.find((r: any) => r.fileId === id && r.status === status);
  });
}

/** The x of an element's right edge on the page. */
async function rightEdge(l: Locator): Promise<number> {
  const b = await l.boundingBox();
  if (!b) throw new Error(`${l} is not on the page`);
  return b.x + b.width;
}

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  built = await buildExampleApp('admin-test');
  console.log(`admin panel built in ${(built.buildMs / 1000).toFixed(1)} s`);
  app = await bootApp('admin', { ALTBRIDGE_LOW_CONFIDENCE: String(LOW_CONFIDENCE) }, built);
  const superAdmin = await app.login();
  login = superAdmin;
  admin = { baseUrl: app.baseUrl, token: superAdmin.token };

  // The default bundle is a demonstration: allowed to write here, so the review flows have alt text to work on.
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
  outsideId = (await upload(admin, OUTSIDE_NAME, 'image/png', await emojiFace())).id;
  fileId = (await upload(admin, FILE_NAME, 'image/png', await shapesScene(1))).id;
  const otherId = (await upload(admin, OTHER_NAME, 'image/png', await shapesScene(2))).id;
  caption = await captionOf(fileId);
  await captionOf(otherId);
  expect(await captionOf(outsideId, 'needs-review')).toMatchObject({ reviewReason: 'out-of-domain' });

  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1366, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
}, 280_000);

afterAll(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  await app?.close();
  built?.remove();
});

test("an editor logs in, opens the plugin from the menu and sees the uploaded image's caption", async () => {
  // A quality bar above every estimate, so that the low-quality filter and badge have captions to show.
  expect((await call(admin, 'PUT', '/altbridge/settings', { minQuality: 1 })).status).toBe(200);
  await page.goto(`${app.baseUrl}/admin`);
  await page.getByRole('textbox', { name: 'Email' }).fill(login.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(login.password);
  await shot('01-login');
  await page.getByRole('button', { name: 'Login' }).click();

  await page.getByRole('navigation').getByRole('link', { name: 'Alt text' }).click();
  await page.waitForURL(/\/admin\/plugins\/altbridge/);
  const card = page.getByRole('listitem', { name: FILE_NAME });
  await card.getByText(caption.text, { exact: true }).waitFor();
  // The thumbnail loads (the test's tsconfig has no DOM types, hence `any` in browser callbacks).
  const loaded = () => card.locator('img').evaluate((img: any) => img.complete && img.naturalWidth > 0);
  await waitFor('the thumbnail to load', async () => ((await loaded()) ? true : undefined), 10_000);
  expect(await card.getByText('Unreviewed').count()).toBe(1);
  await page.getByText(DEMONSTRATION_NOTICE, { exact: false }).waitFor();
  // The low-quality filter and badge use the server's thresholds; the default bundle carries a calibration, so its captions have a quality.
  await page.getByRole('button', { name: 'Low quality (below 100 %; uncalibrated: confidence below 99 %)' }).waitFor();
  expect(caption.quality).toEqual(expect.any(Number));
  expect(await card.getByText('Low quality', { exact: true }).count()).toBe(1);
  expect(await card.getByText(`Quality ${Math.round(caption.quality * 100)} %`, { exact: true }).count()).toBe(1);
  // Bridging depth is not on the card's face (jargon to an editor), only under its Details.
  expect(await card.getByText(/^M \d+$/).count()).toBe(0);
  const made = card.getByText(`bridging depth M = ${caption.m} `, { exact: false });
  expect(await made.isVisible()).toBe(false);
  await card.getByLabel(`Details of the caption of ${FILE_NAME}`).click();
  await made.waitFor();
  // The filter (SQL) and the badge (each caption's lowQuality) are one definition.
  const all = (await call(admin, 'GET', '/altbridge/captions?pageSize=100')).body.data.results;
  const low = (await call(admin, 'GET', '/altbridge/captions?low=true&pageSize=100')).body.data.results;
  expect(low.map((c: any) => c.documentId).sort()).toEqual(
    all
      .filter((c: any) => c.lowQuality)
      .map((c: any) => c.documentId)
      .sort(),
  );
  expect(low.length).toBe(3);
  await shot('02-captions');
  expect(await seriousViolations(page)).toEqual([]);
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
});

test('an out-of-domain image is under Needs review with its reason, and its caption is not on the file', async () => {
  await page.getByRole('button', { name: 'Needs review' }).click();
  const card = page.getByRole('listitem', { name: OUTSIDE_NAME });
  await card.getByText('Needs review', { exact: true }).waitFor();
  await card.getByText('Not written to the alt text. Out of domain: the image is unlike those the model knows.').waitFor();
  await card.getByText('The file has no alt text.').waitFor();
  await page.getByRole('listitem', { name: FILE_NAME }).waitFor({ state: 'detached' });
  await shot('02-needs-review');
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('button', { name: 'All' }).click();
});

test("the caption is edited from the keyboard and saved through to the file's alt text", async () => {
  const card = page.getByRole('listitem', { name: FILE_NAME });
  const edit = card.getByRole('button', { name: `Edit alt text of ${FILE_NAME}` });

  // Escape cancels and gives focus back to the Edit button.
  await edit.click();
  const input = card.getByRole('textbox', { name: `Alt text for ${FILE_NAME}` });
  await input.fill('this is not kept');
  await input.press('Escape');
  expect(await edit.evaluate((el: any) => el === el.ownerDocument.activeElement)).toBe(true);
  expect(await card.getByText(caption.text, { exact: true }).count()).toBe(1);

  // Enter saves.
  const text = 'A red circle on a white background';
  await edit.click();
  await input.fill(text);
  await shot('03-editing');
  expect(await seriousViolations(page)).toEqual([]);
  await input.press('Enter');
  await card.getByText(text, { exact: true }).waitFor();
  await card.getByText('Edited', { exact: true }).waitFor();
  // The model's quality and confidence rated its own text, not the person's: neither is shown now, nor the Details of how it was made.
  await card.getByText('Written by a person', { exact: true }).waitFor();
  expect(await card.getByText(/^(Quality|Confidence) /).count()).toBe(0);
  expect(await card.getByText('Low quality', { exact: true }).count()).toBe(0);
  expect(await card.getByLabel(`Details of the caption of ${FILE_NAME}`).count()).toBe(0);
  await shot('04-saved');

  const { body } = await call(admin, 'GET', `/altbridge/captions/${caption.documentId}`);
  expect(body.data).toMatchObject({ text, status: 'edited', source: 'human', reviewedBy: 'Ed Itor 1' });
  const file = await call(admin, 'GET', `/upload/files/${fileId}`);
  expect(file.body.alternativeText).toBe(text);
});

test("Settings: M is the bundle's own until the slider is freed, changed with it and saved; invalid values are refused with a reason", async () => {
  const before = (await call(admin, 'GET', '/altbridge/settings')).body.data;
  expect(before.m).toBeNull();

  await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).first().click();
  await page.getByRole('link', { name: 'Captioning' }).click();
  await page.waitForURL(/\/admin\/settings\/altbridge/);
  const slider = page.getByRole('slider', { name: 'Bridging depth M' });
  await slider.waitFor();

  // A steps value over M is caught before saving, beside its field.
  const steps = page.getByRole('spinbutton', { name: 'DDIM steps' });
  await steps.fill('0');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('DDIM steps must be a whole number from 1 to 50.').waitFor();
  await shot('05-settings-invalid');
  expect(await seriousViolations(page)).toEqual([]);
  await steps.fill('5');

  // The bundle's own depth holds the slider until it is turned off; then the slider moves in steps of 50 from the keyboard.
  await page.getByText(`M = ${BUNDLE_M} (the bundle’s own)`, { exact: true }).waitFor();
  expect(await slider.isDisabled()).toBe(true);
  await page.getByRole('checkbox', { name: 'Use the bundle’s own depth' }).click();
  await page.getByText(`M = ${BUNDLE_M}`, { exact: true }).waitFor();
  await slider.focus();
  await slider.press('ArrowRight');
  await slider.press('ArrowRight');
  await page.getByText(`M = ${BUNDLE_M + 100}`, { exact: true }).waitFor();

  // The live preview captions the newest image at several M, the slider's among them, and saves nothing.
  await page.getByRole('button', { name: 'Preview M on the newest image' }).click();
  await page
    .getByText(/^0 \(no bridging\)$|^No preview:/)
    .first()
    .waitFor();
  await shot('06-settings-preview');
  expect(await seriousViolations(page)).toEqual([]);
  expect(await page.getByText(/^No preview:/).count()).toBe(0);
  const previewTable = page.getByRole('grid').filter({ hasText: '0 (no bridging)' });
  expect(await previewTable.getByRole('row').count()).toBe(1 + new Set([0, 200, 400, 600, 800, BUNDLE_M + 100]).size); // header and each depth
  // Every column fits inside the settings box, the confidence column too, also on a narrower screen.
  for (const width of [1366, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    const confidence = previewTable.getByText('Confidence', { exact: true });
    expect(await confidence.isVisible()).toBe(true);
    expect(await rightEdge(confidence)).toBeLessThanOrEqual((await rightEdge(slider)) + 1);
    expect(await rightEdge(previewTable)).toBeLessThanOrEqual((await rightEdge(slider)) + 1);
  }
  await shot('06-settings-preview-narrow');
  await page.setViewportSize({ width: 1366, height: 900 });
  expect((await call(admin, 'GET', '/altbridge/settings')).body.data.m).toBeNull();

  await page.getByRole('button', { name: 'Save' }).click();
  await page
    .getByText(/Settings saved/)
    .first()
    .waitFor();
  await shot('06-settings-saved');

  const after = (await call(admin, 'GET', '/altbridge/settings')).body.data;
  expect(after).toEqual({ ...before, m: BUNDLE_M + 100 });
});

test('Settings: the publishing policy, with the bundle named a demonstration', async () => {
  await page.getByText(DEMONSTRATION_NOTICE, { exact: false }).waitFor();
  const minQuality = page.getByRole('spinbutton', { name: 'Minimum quality' });
  expect(await minQuality.inputValue()).toBe('0');
  await minQuality.fill('1.5');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Minimum quality must be a number from 0 to 1, or empty for the bundle’s calibrated threshold.').waitFor();
  // Empty: the bundle's calibrated threshold again; and demonstration captions held back as by default.
  await minQuality.fill('');
  // The design system's toggle is a visually hidden checkbox under its track.
  await page.getByRole('checkbox', { name: 'Let a demonstration bundle write alt text' }).setChecked(false, { force: true });
  await page.getByRole('button', { name: 'Save' }).click();
  await waitFor('the policy saved', async () => {
    const s = (await call(admin, 'GET', '/altbridge/settings')).body.data;
    return s.minQuality === null && s.allowDemonstration === false ? true : undefined;
  });
  await shot('06-settings-policy');
  expect(await seriousViolations(page)).toEqual([]);
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
});

test('the Unreviewed filter, bulk approve, and regenerate at another M', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Alt text' }).click();
  await page.getByRole('listitem', { name: FILE_NAME }).waitFor();

  // The edited caption is reviewed: only the other image is left under Unreviewed.
  await page.getByRole('button', { name: 'Unreviewed' }).click();
  await page.getByRole('listitem', { name: FILE_NAME }).waitFor({ state: 'detached' });
  const other = page.getByRole('listitem', { name: OTHER_NAME });
  await other.getByRole('checkbox', { name: `Select ${OTHER_NAME}` }).click();
  await page.getByRole('button', { name: 'Approve selected (1)' }).click();
  await page.getByText('No captions match this filter.').waitFor();
  expect((await call(admin, 'GET', '/altbridge/captions?status=suggested')).body.data.pagination.total).toBe(0);

  // Regenerate at M = 200 from the keyboard: the new caption records it; the editor's alt text stays.
  await page.getByRole('button', { name: 'All' }).click();
  const card = page.getByRole('listitem', { name: FILE_NAME });
  await card.getByRole('button', { name: `Regenerate alt text of ${FILE_NAME}` }).click();
  const m = card.getByRole('spinbutton', { name: `Bridging depth M for ${FILE_NAME}` });
  await m.fill('200');
  await shot('07-regenerate');
  expect(await seriousViolations(page)).toEqual([]);
  await m.press('Enter');
  await card.getByText('Unreviewed', { exact: true }).waitFor();
  await card.getByLabel(`Details of the caption of ${FILE_NAME}`).click();
  await card.getByText('bridging depth M = 200 ', { exact: false }).waitFor();
  await shot('08-regenerated');
  const regenerated = await captionOf(fileId);
  expect(regenerated.m).toBe(200);
  expect((await call(admin, 'GET', `/upload/files/${fileId}`)).body.alternativeText).toBe('A red circle on a white background');
});

test("approving a machine caption over a person's alt text asks first, showing the text it replaces", async () => {
  const card = page.getByRole('listitem', { name: FILE_NAME });
  const regenerated = await captionOf(fileId);
  const approve = card.getByRole('button', { name: `Approve alt text of ${FILE_NAME}` });
  await approve.click();
  const dialog = page.getByRole('alertdialog', { name: 'Replace alt text a person wrote?' });
  await dialog.getByText('“A red circle on a white background”', { exact: true }).waitFor();
  await shot('08-confirm-replace');
  expect(await seriousViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Keep the person’s text' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect((await call(admin, 'GET', `/upload/files/${fileId}`)).body.alternativeText).toBe('A red circle on a white background');

  await approve.click();
  await dialog.getByRole('button', { name: 'Replace it' }).click();
  await card.getByText('Approved', { exact: true }).waitFor();
  expect((await call(admin, 'GET', `/upload/files/${fileId}`)).body.alternativeText).toBe(regenerated.text);
});

/** Opens one of the plugin's pages from its row of page links. */
async function pluginPage(name: string, url: RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Alt text' }).click();
  await page.getByRole('navigation', { name: 'Alt text pages' }).getByRole('link', { name, exact: true }).click();
  await page.waitForURL(url);
}

/** Opens a link of the plugin's settings section. */
async function settingsPage(name: string, url: RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).first().click();
  await page.getByRole('link', { name, exact: true }).click();
  await page.waitForURL(url);
}

test("Accessibility audit: the figures are the API's, the progress chart, the rules; an image is marked decorative and unmarked; Export CSV downloads a file with a header row; the rules' thresholds are the editor's", async () => {
  // An Article uses the out-of-domain image (no alt text): it leads the list, with a link to the entry.
  const article = await app.strapi.documents('api::article.article' as never).create({ data: { title: 'News', cover: outsideId } as never, status: 'published' } as never);
  const { coverage, totals } = (await call(admin, 'GET', '/altbridge/audit')).body.data;
  await pluginPage('Accessibility audit', /\/admin\/plugins\/altbridge\/audit$/);
  for (const key of ['images', 'human', 'machineApproved', 'machineUnreviewed', 'decorative', 'none']) {
    const text = await page.locator(`[data-coverage="${key}"] dd`).innerText();
    expect(Number(text.trim().split(/\s/)[0])).toBe(coverage[key]);
  }
  expect(coverage.images).toBe(3);
  await page.getByText(`${totals.compliant} of 3 images compliant`).waitFor();
  await page.getByText(`below 99 % (mean token log-probability below ${LOW_CONFIDENCE})`, { exact: false }).waitFor();
  // Today's snapshot is drawn (one point per series) and listed in the chart's table.
  await page.getByTestId('progress-chart').locator('circle').first().waitFor();
  expect(
    await page
      .getByRole('table', { name: 'Compliance per day' })
      .getByRole('rowheader', { name: new Date().toISOString().slice(0, 10) })
      .count(),
  ).toBe(1);
  expect(
    await page
      .locator('tr[data-rule="redundant-lead-in"]')
      .getByRole('link', { name: /^1\.1\.1 Non-text Content/ })
      .count(),
  ).toBe(1);
  const first = page.locator('tbody tr[data-file]').first();
  expect(await first.getAttribute('data-file')).toBe(String(outsideId));
  const entry = first.getByRole('link', { name: /^Article/ });
  expect(await entry.getAttribute('href')).toBe(`/admin/content-manager/collection-types/api::article.article/${article.documentId}`);
  await first.getByText('Used in 1 entry (1 published)').waitFor();
  // Machine text carries its trust verdict: the caption held back is out of the bundle's domain.
  await first.getByText('Out of domain', { exact: true }).waitFor();
  await shot('09-audit');
  expect(await seriousViolations(page)).toEqual([]);

  // Mark it decorative with a reason, see it counted compliant, and unmark it in one click.
  await first.getByRole('button', { name: 'Mark decorative' }).click();
  await first.getByRole('textbox', { name: `Reason ${OUTSIDE_NAME} is decorative` }).fill('A smiley used as a divider');
  await first.getByRole('button', { name: 'Mark', exact: true }).click();
  await page.getByText(`${totals.compliant + 1} of 3 images compliant`).waitFor();
  expect(await page.locator(`tbody tr[data-file="${outsideId}"]`).count()).toBe(0);
  await page.getByRole('combobox', { name: 'Show' }).click();
  await page.getByRole('option', { name: 'Decorative images (1)' }).click();
  const marked = page.locator(`tbody tr[data-file="${outsideId}"]`);
  await marked.getByText('Decorative: A smiley used as a divider').waitFor();
  await shot('09b-audit-decorative');
  expect(await seriousViolations(page)).toEqual([]);
  await marked.getByRole('button', { name: 'Unmark decorative' }).click();
  await page.getByText('No image here.').waitFor();
  await page.getByText(`${totals.compliant} of 3 images compliant`).waitFor();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^alt-text-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  const rows = csv.trim().split('\r\n');
  // Every field is quoted (a cell cannot start a spreadsheet formula).
  expect(rows[0]).toBe(
    [
      ...['fileId', 'fileName', 'url', 'kind', 'alternativeText', 'captionStatus', 'captionText', 'confidence', 'quality', 'reviewReason', 'bundle', 'reviewedBy', 'reviewedAt', 'error', 'reasons'],
      ...['rules', 'compliant', 'decorativeReason', 'domainVerdict', 'entries', 'publishedEntries'],
    ]
      .map((h) => `"${h}"`)
      .join(','),
  );
  expect(rows.length).toBe(1 + coverage.images);

  // The thresholds are the editor's: both machine captions here are longer than 20 characters.
  expect(await page.locator('tr[data-rule="too-long"]').getByText('0', { exact: true }).count()).toBe(1);
  await page.getByRole('spinbutton', { name: 'Too long above (characters)' }).fill('20');
  await page.getByRole('button', { name: 'Apply thresholds' }).click();
  await page.getByRole('button', { name: 'Show the 2 images breaking “Too long”' }).waitFor();
  await page.getByText('Too long: more than 20 characters.', { exact: false }).waitFor();
});

test('Accessibility audit: the HTML report (with the thresholds applied on the page) downloads as one file that opens and prints on its own', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'HTML report' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^alt-text-audit-\d{4}-\d{2}-\d{2}\.html$/);
  const file = path.join(ARTIFACTS, 'audit-report.html');
  await download.saveAs(file);
  const report = await context.newPage();
  try {
    // Offline: a self-contained report loads nothing from anywhere.
    const requests: string[] = [];
    report.on('request', (r) => void (r.url().startsWith('file:') || r.url().startsWith('data:') || requests.push(r.url())));
    await report.goto(`file://${file}`);
    await report.getByRole('heading', { name: 'Alt text accessibility audit' }).waitFor();
    for (const name of ['Summary', 'Rules', 'Per content type', 'Progress']) await report.getByRole('heading', { name }).waitFor();
    await report.getByText('Alt text longer than 20 characters is too long', { exact: false }).waitFor();
    await report.getByRole('img', { name: /Share of images compliant/ }).waitFor();
    // The thumbnails are embedded and decode.
    const thumbs = report.locator('img.thumb');
    expect(await thumbs.count()).toBe(3);
    expect(await thumbs.evaluateAll((imgs: any[]) => imgs.every((i) => i.complete && i.naturalWidth > 0))).toBe(true);
    expect(requests).toEqual([]);
    await report.screenshot({ path: path.join(ARTIFACTS, '09c-audit-report.png'), fullPage: true });
    expect(await seriousViolations(report)).toEqual([]);
    await report.emulateMedia({ media: 'print' });
    expect((await report.pdf({ format: 'A4' })).subarray(0, 4).toString()).toBe('%PDF');
  } finally {
    await report.close();
  }
});

test('Backfill: an image uploaded with auto-caption off is captioned by a run started from the page', async () => {
  const settings = (await call(admin, 'GET', '/altbridge/settings')).body.data;
  expect((await call(admin, 'PUT', '/altbridge/settings', { ...settings, autoCaption: false })).status).toBe(200);
  const id = (await upload(admin, 'scene-c.png', 'image/png', await shapesScene(3))).id;
  expect((await call(admin, 'GET', '/altbridge/backfill')).body.data.lacking).toBe(1);

  await pluginPage('Backfill', /\/admin\/plugins\/altbridge\/backfill$/);
  await page.getByText('1 image lacking alt text now').waitFor();
  await shot('10-backfill-idle');
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Start backfill' }).click();
  await page.getByText('1 done (0 need review), 0 failed, of 1', { exact: false }).waitFor({ timeout: 60_000 });
  await page.getByText('Done', { exact: true }).waitFor();
  expect(await page.getByRole('progressbar', { name: 'Backfill progress' }).getAttribute('aria-valuenow')).toBe('100');
  await page.waitForTimeout(400); // the bar's width transition, for the screenshot
  await shot('11-backfill-done');
  expect(await seriousViolations(page)).toEqual([]);
  expect((await captionOf(id)).text).toBeTruthy();
  expect((await call(admin, 'GET', `/upload/files/${id}`)).body.alternativeText).toBeTruthy();
});

test('Host check: the doctor report, with Redis and PostgreSQL ok', async () => {
  await settingsPage('Host check', /\/admin\/settings\/altbridge-host-check$/);
  for (const name of ['redis', 'postgresql']) {
    const row = page.locator(`tr[data-check="${name}"]`);
    await row.waitFor({ timeout: 60_000 });
    expect(await row.getByText('ok', { exact: true }).count()).toBe(1);
  }
  await shot('12-host-check');
  expect(await seriousViolations(page)).toEqual([]);
});

test('Fine-tuning: an uploaded corpus shows its validation report', async () => {
  await pluginPage('Fine-tuning', /\/admin\/plugins\/altbridge\/fine-tuning$/);
  const colours = ['red', 'blue', 'green', 'yellow', 'purple', 'orange'];
  const shapes = ['circle', 'square', 'triangle', 'star', 'cross'];
  const lines = [...Array(36)].map((_, i) => `a ${colours[i % 6]} ${shapes[i % 5]} on a white background`);
  const corpus = [...lines, '', 'too short', ...lines.slice(0, 2)].join('\n');
  await page.getByLabel('Caption corpus file').setInputFiles({ name: 'captions.txt', mimeType: 'text/plain', buffer: Buffer.from(corpus) });
  const report = page.getByRole('region', { name: 'Validation report of captions.txt' });
  await report.waitFor();
  const uploaded = (await call(admin, 'GET', '/altbridge/finetune/corpus')).body.data[0];
  expect(uploaded.name).toBe('captions.txt');
  await report.getByText(`${uploaded.report.kept} of ${uploaded.report.lines} lines kept`, { exact: false }).waitFor();
  await report.getByText(`${uploaded.report.train} for training, ${uploaded.report.heldOut} held out`, { exact: false }).waitFor();
  expect(await page.getByRole('button', { name: 'Start fine-tuning' }).isEnabled()).toBe(true);
  // The form starts at the server's defaults, the ones the API applies and the README states.
  const { finetune } = (await call(admin, 'GET', '/altbridge/limits')).body.data;
  for (const name of ['Denoiser steps', 'Decoder steps']) expect(await page.getByRole('spinbutton', { name }).inputValue()).toBe(String(finetune.defaultSteps));
  expect(await page.getByRole('spinbutton', { name: 'Draws per caption' }).inputValue()).toBe(String(finetune.defaultDraws));
  expect(fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain(`${finetune.defaultSteps} steps a stage and ${finetune.defaultDraws} draws`);
  await shot('13-finetune-corpus');
  expect(await seriousViolations(page)).toEqual([]);
});

test(`Bundle versions: ${SHAPES_MINI_REF} is marked active`, async () => {
  await settingsPage('Bundle versions', /\/admin\/settings\/altbridge-versions$/);
  const row = page.locator(`tr[data-bundle="${SHAPES_MINI_REF}"]`);
  await row.getByText('Active', { exact: true }).waitFor();
  await shot('14-bundle-versions');
  expect(await seriousViolations(page)).toEqual([]);
});

test("Failed jobs: a corrupt image's job is listed with its reason and can be retried", async () => {
  const settings = (await call(admin, 'GET', '/altbridge/settings')).body.data;
  expect((await call(admin, 'PUT', '/altbridge/settings', { ...settings, autoCaption: true })).status).toBe(200);
  const broken = await upload(admin, 'broken.png', 'image/png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
  await captionOf(broken.id, 'failed');

  await pluginPage('Failed jobs', /\/admin\/plugins\/altbridge\/failed-jobs$/);
  const row = page.getByRole('row').filter({ hasText: `File ${broken.id}` });
  await row.getByText(/unreadable image/).waitFor();
  await shot('15-failed-jobs');
  expect(await seriousViolations(page)).toEqual([]);
  await row.getByRole('button', { name: `Retry the job for file ${broken.id}` }).click();
  await page.getByText(`Job for file ${broken.id} queued again`).first().waitFor();
});

test('no worker running while a job waits: the banner on the plugin pages gives the fix; Host check names the missing worker, then lists it once started', async () => {
  const consumer = app.strapi.plugin('altbridge').service('consumer');
  await consumer.stop();
  let id: number;
  try {
    id = (await upload(admin, 'waiting.png', 'image/png', await shapesScene(4))).id;
    await waitFor('the job to wait with no worker', async () => ((await call(admin, 'GET', '/altbridge/workers')).body.data.stalled ? true : undefined));
    await pluginPage('Captions', /\/admin\/plugins\/altbridge$/);
    const banner = page.getByRole('alert', { name: 'No caption worker' });
    await banner.getByText('No caption worker is running: 1 caption job waiting', { exact: false }).waitFor();
    await banner.getByText('npx altbridge worker --app .', { exact: true }).waitFor();
    await banner.getByText('ALTBRIDGE_WORKER=inline', { exact: true }).waitFor();
    await shot('16-no-worker-banner');
    expect(await seriousViolations(page)).toEqual([]);

    await settingsPage('Host check', /\/admin\/settings\/altbridge-host-check$/);
    const missing = page.getByRole('note', { name: 'Caption worker missing' });
    await missing.getByText('No caption worker is running (1 caption job waiting', { exact: false }).waitFor();
    await missing.getByText('npx altbridge worker --app .', { exact: true }).waitFor();
    await page.getByText(/^Not ready: no caption worker is running( · \d+ warnings?)?$/).waitFor();
    await shot('17-host-check-no-worker');
    expect(await seriousViolations(page)).toEqual([]);
  } finally {
    consumer.start('inline');
  }
  const captioned = await waitFor('the waiting job captioned', async () => {
    const { body } = await call(admin, 'GET', '/altbridge/captions?pageSize=100');
    return body.data.results.find((r: any) => r.fileId === id && r.status !== 'queued');
  });
  await waitFor('the heartbeat to report the job', async () => ((await call(admin, 'GET', '/altbridge/workers')).body.data.workers[0]?.lastJob?.fileId === id ? true : undefined));
  await page.getByRole('button', { name: 'Check again' }).click();
  const row = page.locator('tr[data-worker]');
  await row.getByText('inside Strapi', { exact: true }).waitFor();
  await row.getByText(`${process.pid}`, { exact: true }).waitFor();
  await page.getByText(/^Ready( · \d+ warnings?)?$/).waitFor();
  await row.getByText(new RegExp(`^waiting\\.png \\(file ${id}\\): ${captioned.status.replace('-', ' ')} in \\d+ ms`)).waitFor();
  await shot('18-host-check-workers');
  expect(await seriousViolations(page)).toEqual([]);
});
