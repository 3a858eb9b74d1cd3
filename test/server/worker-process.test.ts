/**
 * `altbridge worker` as a separate process beside a Strapi that does not consume the queue itself,
 * and what happens when that process is killed in the middle of a job: the job is found stalled
 * and retried, and the file ends with exactly one caption. The settings preview is captioned by
 * that process too: with none running, Strapi answers 503 instead of running the models itself.
 * The process announces itself (its heartbeat in Redis, mode 'external') until it stops.
 */
import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as path from 'path';
import { Admin, call, upload } from './helpers/http';
import { PUBLISH_DEMONSTRATION, shapesScene } from './helpers/scenes';
import { bootApp, previewQueue, TestApp, waitFor } from './helpers/strapi-app';

const ROOT = path.join(__dirname, '..', '..');
let app: TestApp;
let admin: Admin;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'altbridge.js'), 'worker', '--app', path.join(ROOT, 'example')], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL') console.log(`worker exited with ${code ?? signal}:\n${log}`);
  });
  workers.push(child);
  return child;
}

const queue = () => app.strapi.plugin('altbridge').service('queue').queue();

/** Resolves once the process's worker is connected to the queue; fails at once if it exits. */
async function connected(child: ChildProcess): Promise<void> {
  await waitFor(
    'the worker process to connect to Redis',
    async () => {
      if (child.exitCode !== null) throw new Error(`the worker process exited with ${child.exitCode}`);
      return (await queue().getWorkers()).length > 0 ? true : undefined;
    },
    60_000,
  );
}

beforeAll(async () => {
  // Short locks so that a killed worker's job is retried within seconds; the "remote provider" below
  // is on loopback, which downloads reach only when the operator allows the host.
  app = await bootApp('worker', { ALTBRIDGE_WORKER: 'external', ALTBRIDGE_LOCK_MS: '2000', ALTBRIDGE_REMOTE_HOSTS: '127.0.0.1' });
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
  // These tests count on the default (demonstration) bundle writing alt text.
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await app?.close();
});

/** A different in-domain scene per call: the default bundle writes (with PUBLISH_DEMONSTRATION) only what it can stand behind. */
let seed = 400;
const png = () => shapesScene(++seed);

test('with no worker running, the settings preview answers 503 after its wait and leaves no job behind', async () => {
  const file = await upload(admin, 'preview.png', 'image/png', await png());
  const config = app.strapi.config.get('plugin::altbridge') as { previewTimeoutMs: number };
  const wait = config.previewTimeoutMs;
  config.previewTimeoutMs = 1000;
  try {
    const r = await call(admin, 'POST', '/altbridge/settings/preview', { m: [0, 600], fileId: file.id });
    expect(r.status).toBe(503);
    expect(r.body.error.message).toMatch(/^no caption worker is running: none took the preview within 1 s/);
  } finally {
    config.previewTimeoutMs = wait;
  }
  const previews = previewQueue(app.strapi);
  expect(await previews.count()).toBe(0);
  await previews.close();
});

test('the separate worker process captions uploads and the settings preview; Strapi itself does not consume', async () => {
  expect(app.strapi.plugin('altbridge').service('consumer').isRunning()).toBe(false);
  const worker = startWorker();
  await connected(worker);
  const workers = app.strapi.plugin('altbridge').service('workers');
  const self = await waitFor("the worker process's heartbeat", async () => (await workers.list()).find((w: any) => w.pid === worker.pid));
  expect(self).toMatchObject({ mode: 'external', lastJob: null });
  const file = await upload(admin, 'red.png', 'image/png', await png());
  const caption = await waitFor('a caption from the worker process', async () => {
    const { body } = await call(admin, 'GET', '/altbridge/captions');
    return body.data.results.find((r: any) => r.fileId === file.id && r.status === 'suggested');
  });
  expect(caption.text).toMatch(/\w+/);
  const preview = await call(admin, 'POST', '/altbridge/settings/preview', { m: [0, 600], fileId: file.id });
  expect(preview.status).toBe(200);
  expect(preview.body.data.rows).toEqual([expect.objectContaining({ m: 0, steps: 0 }), expect.objectContaining({ m: 600, steps: 5 })]);

  // SIGTERM: the process finishes what it holds and exits cleanly.
  const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
  worker.kill('SIGTERM');
  expect(await exited).toBe(0);
  // A clean stop takes the heartbeat away at once (a killed worker's lasts until its TTL).
  expect(await workers.list()).toEqual([]);
});

test('a worker killed in the middle of a job: the job is retried and exactly one caption is stored', async () => {
  // A file on a "remote provider" whose server holds the first download until the worker is dead.
  const image = await png();
  let held: http.ServerResponse | null = null;
  const server = http.createServer((_, res) => {
    if (!held) held = res;
    else res.end(image);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/green.png`;
  try {
    const first = startWorker();
    await connected(first);
    const file = await app.strapi.db.query('plugin::upload.file').create({
      data: { name: 'green.png', hash: 'green_remote', ext: '.png', mime: 'image/png', size: image.length / 1000, url, provider: 'remote-test' },
    });
    await waitFor('the worker to start downloading', async () => (held ? true : undefined));
    first.kill('SIGKILL');
    held!.socket?.destroy();

    startWorker();
    const caption = await waitFor(
      "the retried job's caption",
      async () => {
        const { body } = await call(admin, 'GET', '/altbridge/captions?pageSize=100');
        return body.data.results.find((r: any) => r.fileId === file.id && r.status === 'suggested');
      },
      60_000,
    );
    const rows = await app.strapi.db.query('plugin::altbridge.caption').findMany({ where: { fileId: file.id } });
    expect(rows).toHaveLength(1);
    expect(caption.history).toEqual([]);
    const jobs = (await queue().getJobs(['completed', 'failed'])).filter((j: any) => j.data.fileId === file.id);
    expect(jobs.map((j: any) => [j.finishedOn > 0, j.failedReason ?? null])).toEqual([[true, null]]);
    expect((await app.strapi.db.query('plugin::upload.file').findOne({ where: { id: file.id } })).alternativeText).toBe(caption.text);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
