/**
 * The plugin as a Strapi user installs it: the packed tarball into a brand-new Strapi app made by
 * create-strapi (the Strapi version this project tests) on a fresh PostgreSQL database, with the
 * README's commands; Strapi started from the app's build, the caption worker from the installed
 * package's CLI. Then a second app on the same Redis, to show that neither touches the other's jobs.
 * Needs the npm registry (create-strapi and the app's dependencies). Takes several minutes.
 * ALTBRIDGE_KEEP_INSTALL_TEST=1 keeps the apps and databases for a look afterwards.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { adminSql } from '../../bench/pg';
import { freePort, waitFor } from '../helpers/poll';
import { Running, sh, start } from './helpers/processes';

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const packageJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; version: string };
/** The Strapi version this project develops and tests against (its devDependency). */
const STRAPI_VERSION = packageJson(require.resolve('@strapi/strapi/package.json')).version;
const PACKAGE = packageJson(path.join(ROOT, 'package.json')).name;
const PG = { host: process.env.DATABASE_HOST ?? '127.0.0.1', port: Number(process.env.DATABASE_PORT ?? 5432), user: process.env.DATABASE_USERNAME ?? 'postgres' };
const KEEP = !!process.env.ALTBRIDGE_KEEP_INSTALL_TEST;
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'install');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ADMIN = { firstname: 'Ada', lastname: 'Admin', email: 'ada@example.com', password: 'Install-test-1' };

/** The README's install commands, run as written (the package from the tarball instead of the registry). */
const INSTALL = `ONNXRUNTIME_NODE_INSTALL=skip npm install ${PACKAGE}`;
const WORKER = 'npx altbridge worker --app .';
const ENABLE = `  altbridge: {\n    enabled: true,\n  },\n`;

jest.setTimeout(900_000);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-install-'));
const running: Running[] = [];
const databases: string[] = [];
let tarball: string;

interface App {
  dir: string;
  url: string;
  env: Record<string, string>;
  strapi?: Running;
  worker?: Running;
  /** An admin's JWT, for the plugin's admin API. */
  jwt?: string;
  /** A full-access API token, for the upload API. */
  apiToken?: string;
}

async function api(app: App, method: string, url: string, body?: unknown, token = app.jwt): Promise<any> {
  const res = await fetch(app.url + url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** Starts the app's Strapi in production mode (as `npm run start` does) and waits until it answers. */
async function startStrapi(app: App): Promise<void> {
  app.strapi = start('npm run start', app.dir, app.env);
  running.push(app.strapi);
  await waitFor(`${app.dir} to answer on ${app.url}`, async () => ((await fetch(`${app.url}/_health`).catch(() => null))?.status === 204 ? true : undefined), 180_000, app.strapi.output);
}

function startWorker(app: App): Running {
  app.worker = start(WORKER, app.dir, app.env);
  running.push(app.worker);
  return app.worker;
}

/** The first admin (the registration a new app asks for), and an API token as a user would make one. */
async function signUp(app: App): Promise<void> {
  const res = await fetch(`${app.url}/admin/register-admin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  app.jwt = ((await res.json()) as { data: { token: string } }).data.token;
  app.apiToken = (await api(app, 'POST', '/admin/api-tokens', { name: 'uploads', description: '', type: 'full-access', lifespan: null })).data.accessKey;
}

/** Uploads a PNG through the upload API (/api/upload, as a front end or script would); the file row. */
async function uploadImage(app: App, name: string, png: Buffer): Promise<{ id: number; alternativeText: string | null }> {
  const form = new FormData();
  form.append('files', new Blob([png], { type: 'image/png' }), name);
  const res = await fetch(`${app.url}/api/upload`, { method: 'POST', headers: { authorization: `Bearer ${app.apiToken}` }, body: form });
  if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number; alternativeText: string | null }[])[0];
}

const captions = async (app: App): Promise<any[]> => (await api(app, 'GET', '/altbridge/captions?pageSize=100')).data.results;

/** The caption row of a file once the worker has captioned it. */
const captioned = (app: App, fileId: number, after = '') =>
  waitFor(
    `a caption for file ${fileId} in ${app.dir}`,
    async () => (await captions(app)).find((c) => c.fileId === fileId && c.status !== 'queued' && c.text && c.updatedAt > after),
    120_000,
    () => `${app.worker?.output() ?? ''}\n${app.strapi?.output() ?? ''}`,
  );

const square = (r: number, g: number, b: number) =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

const app1: App = { dir: path.join(work, 'app-one'), url: '', env: {} };
const app2: App = { dir: path.join(work, 'app-two'), url: '', env: {} };

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  if (KEEP) return void console.log(`kept ${work} and databases ${databases.join(', ')}`);
  for (const db of databases) await adminSql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  fs.rmSync(work, { recursive: true, force: true });
}, 120_000);

test('the README gives the commands this test runs', () => {
  for (const line of [INSTALL, WORKER, ENABLE.trim().split('\n')[0].trim(), 'npm run build', 'npm run start']) expect(README).toContain(line);
});

test('npm pack ships the built plugin, its bundles and licences, and no sources, tests or example app; strapi-plugin verify passes', async () => {
  await sh('npm run build', ROOT);
  expect(await sh('npx strapi-plugin verify', ROOT)).toContain('Verified package.json');
  const [packed] = JSON.parse(await sh(`npm pack --json --pack-destination ${work}`, ROOT)) as {
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string }[];
  }[];
  tarball = path.join(work, packed.filename);
  const files = packed.files.map((f) => f.path);
  console.log(`${packed.filename}: ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${packed.entryCount} files`);
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'strapi-server.js',
      'bin/altbridge.js',
      'dist/server/src/index.js',
      'dist/admin/index.js',
      'dist/admin/index.mjs',
      'dist/cli/main.js',
      'models/README.md',
      'models/shapes-mini/manifest.json',
      'models/art-mini/manifest.json',
      'models/art-demo/names.json',
    ]),
  );
  expect(files.filter((f) => /^(test|example|bench|reports|research|worker|server|cli|admin)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
});

test(`a new Strapi ${STRAPI_VERSION} app made by create-strapi installs the tarball with the README's commands and builds its admin panel`, async () => {
  const database = `altbridge_install_${process.pid}_${Date.now()}`;
  await adminSql(`CREATE DATABASE "${database}"`);
  databases.push(database);
  const db = `--dbclient=postgres --dbhost=${PG.host} --dbport=${PG.port} --dbname=${database} --dbusername=${PG.user} --dbpassword=unused`;
  await sh(`npx -y create-strapi@${STRAPI_VERSION} ${path.basename(app1.dir)} --no-run --ts --use-npm --install --skip-cloud --no-example --no-git-init --non-interactive ${db}`, work);
  await sh(INSTALL.replace(PACKAGE, tarball), app1.dir);
  const plugins = path.join(app1.dir, 'config', 'plugins.ts');
  fs.writeFileSync(
    plugins,
    fs.readFileSync(plugins, 'utf8').replace(/=> \(\{\n/, (m) => m + ENABLE),
  );
  await sh('npm run build', app1.dir);
  // One copy of Strapi's own dependencies: the plugin's are peers or compatible ranges.
  for (const dep of ['sharp', '@strapi/strapi', 'react'])
    expect(
      (await sh(`npm ls ${dep} --all --parseable`, app1.dir))
        .trim()
        .split('\n')
        .filter((l) => l.includes('node_modules')),
    ).toHaveLength(1);
  expect(fs.existsSync(path.join(app1.dir, 'node_modules', PACKAGE, 'dist', 'server', 'src', 'index.js'))).toBe(true);
});

/** The plugin's Captions page and Host check in a real browser, logged in as the app's admin: screenshots, and the texts found. */
async function lookInAdmin(app: App, shots: string): Promise<{ banner: string; hostCheck: string }> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`${app.url}/admin`);
    await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Alt text' }).click();
    const banner = page.getByRole('alert', { name: 'No caption worker' });
    await banner.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, `${shots}-banner.png`), fullPage: true });
    const bannerText = await banner.innerText();
    await page.goto(`${app.url}/admin/settings/altbridge-host-check`);
    const missing = page.getByRole('note', { name: 'Caption worker missing' });
    await missing.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, `${shots}-host-check.png`), fullPage: true });
    return { banner: bannerText, hostCheck: await missing.innerText() };
  } finally {
    await browser.close();
  }
}

let file1Id: number;
const workers = async (app: App) => (await api(app, 'GET', '/altbridge/workers')).data;

test('in production with no worker running, an upload waits: the admin shows the banner with the fix, and Host check names the missing worker', async () => {
  const port = await freePort();
  Object.assign(app1, { url: `http://127.0.0.1:${port}`, env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' } });
  await startStrapi(app1);
  // Seeded into the app, not read from node_modules.
  expect(fs.existsSync(path.join(app1.dir, '.altbridge', 'models', 'art-mini', 'manifest.json'))).toBe(true);
  await signUp(app1);
  file1Id = (await uploadImage(app1, 'red-square.png', await square(220, 30, 30))).id;
  expect(await waitFor('the job to wait with no worker', async () => ((await workers(app1)).stalled ? workers(app1) : undefined), 30_000)).toMatchObject({
    workers: [],
    waiting: 1,
    configured: 'external',
  });
  const seen = await lookInAdmin(app1, 'app-one-no-worker');
  for (const text of [seen.banner, seen.hostCheck]) {
    expect(text).toContain('No caption worker is running');
    expect(text).toContain(WORKER);
  }
});

test('the external worker from the installed CLI captions the waiting upload and announces itself; the CLI works in the app', async () => {
  const worker = startWorker(app1);
  const file = { id: file1Id };
  const caption = await captioned(app1, file.id);
  expect(caption).toMatchObject({ fileId: file.id, source: 'machine', bundle: 'art-mini' });
  // The default bundle publishes nothing on its own (its calibrated threshold is 1): the caption waits for review.
  expect(caption.status).toBe('needs-review');
  expect((await api(app1, 'GET', `/upload/files/${file.id}`)).alternativeText).toBeNull();
  const live = await waitFor('the worker to report its job', async () => ((await workers(app1)).workers[0]?.lastJob?.fileId === file.id ? workers(app1) : undefined), 30_000, worker.output);
  expect(live).toMatchObject({ stalled: false, workers: [{ mode: 'external', bundle: expect.stringContaining('art-mini'), concurrency: 2 }] });
  expect(worker.output()).toMatch(/altbridge: file \d+ "red-square\.png": needs-review in \d+ ms/);

  // The CLI from the installed package, in the app's folder: per-command help, the app's models, a caption, the host check.
  fs.writeFileSync(path.join(app1.dir, 'blue.png'), await square(30, 30, 220));
  const outputs = [
    await sh('npx altbridge worker --help', app1.dir),
    await sh('npx altbridge models list', app1.dir),
    await sh('npx altbridge caption blue.png --json', app1.dir),
    await sh('npx altbridge doctor', app1.dir),
  ];
  expect(outputs[0]).toMatch(/Usage: altbridge worker/);
  expect(outputs[1]).toContain(path.join(app1.dir, '.altbridge', 'models', 'art-mini'));
  expect(outputs[2]).toMatch(/"caption":"[a-z]/);
  expect(outputs[3]).toMatch(/ok +bundle:art-mini@/);
  for (const o of outputs) expect(o).not.toContain('Unknown project config');
});

test("a second app on the same Redis: each worker takes only its own app's jobs, and a Regenerate in one app leaves the other's file with the same id alone", async () => {
  // A copy of the first app (hard links: same build, no second install) under another name, on its own database.
  await sh(`cp -al ${app1.dir} ${app2.dir}`, work);
  for (const dir of ['.altbridge', 'public/uploads']) fs.rmSync(path.join(app2.dir, dir), { recursive: true, force: true });
  fs.mkdirSync(path.join(app2.dir, 'public', 'uploads'), { recursive: true });
  const database = `${databases[0]}_two`;
  await adminSql(`CREATE DATABASE "${database}"`);
  databases.push(database);
  // Linked files are replaced, never written through (that would change the first app's too).
  const rewrite = (file: string, edit: (text: string) => string) => {
    const text = edit(fs.readFileSync(file, 'utf8'));
    fs.rmSync(file);
    fs.writeFileSync(file, text);
  };
  rewrite(path.join(app2.dir, 'package.json'), (t) => t.replace(/"name": "[^"]*"/, '"name": "app-two"'));
  rewrite(path.join(app2.dir, '.env'), (t) => t.replace(/^DATABASE_NAME=.*$/m, `DATABASE_NAME=${database}`));
  const port = await freePort();
  Object.assign(app2, { url: `http://127.0.0.1:${port}`, env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' } });
  await startStrapi(app2);
  await signUp(app2);
  const worker2 = startWorker(app2);

  const file2 = await uploadImage(app2, 'green-square.png', await square(30, 200, 30));
  const file1 = { id: file1Id };
  // Both apps' first file has id 1: the case where a shared queue re-captioned the wrong app's file.
  expect(file2.id).toBe(file1.id);
  const first = await captioned(app2, file2.id);
  const before = (await captions(app1)).find((c) => c.fileId === file1.id);
  await api(app2, 'POST', `/altbridge/captions/${first.documentId}/regenerate`, {});
  await captioned(app2, file2.id, first.updatedAt);

  // Each worker announced itself to its own app only, and captioned only its own app's files.
  const [live1, live2] = [await workers(app1), await workers(app2)];
  expect(live1.workers).toHaveLength(1);
  expect(live2.workers).toHaveLength(1);
  expect(live1.workers[0].pid).not.toBe(live2.workers[0].pid);
  expect(app1.worker!.output()).not.toContain('green-square.png');
  expect(worker2.output()).not.toContain('red-square.png');
  expect(worker2.output().match(/altbridge: file \d+ "green-square\.png"/g)).toHaveLength(2);
  expect((await captions(app1)).find((c) => c.fileId === file1.id)).toEqual(before);
});
