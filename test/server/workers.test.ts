/**
 * Workers announce themselves, and a queue belongs to one app, on a real Strapi, PostgreSQL and
 * Redis. Strapi is booted with worker 'external' and nobody consumes, so an upload's job waits:
 * GET /workers says jobs wait with no worker and gives the fix. Then the test starts the consumer
 * in the Strapi process: its heartbeat appears (with a TTL of a few beats), it captions the waiting
 * job and logs a line for it, it refuses a job another app queued without touching the caption
 * row, and its heartbeat is gone once it stops. Also: the derived queue names differ per app and
 * database, and rows queued before an upgrade that renamed the queue get their job back.
 */
import { Queue } from 'bullmq';
import * as os from 'os';
import { appFacts, appId, appIdOf, defaultQueue } from '../../server/src/app-identity';
import type { AltbridgeConfig } from '../../server/src/config';
import { NO_WORKER_FIX } from '../../server/src/contracts';
import { loadBundle } from '../../worker/bundle/load';
import { redisConnection } from '../../server/src/redis';
import { HEARTBEAT_TTL_MS } from '../../server/src/services/workers';
import { Admin, call, upload } from './helpers/http';
import { shapesScene } from './helpers/scenes';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

let app: TestApp;
let admin: Admin;
let fileId: number;
const FILE_NAME = 'waiting.png';

const service = (name: string) => app.strapi.plugin('altbridge').service(name);
const config = () => app.strapi.config.get('plugin::altbridge') as AltbridgeConfig;
const captionRow = (id: number) => app.strapi.db.query('plugin::altbridge.caption').findOne({ where: { fileId: id } });

beforeAll(async () => {
  // No grace for the reconciler: the upgrade test calls it on a row queued a moment before.
  app = await bootApp('workers', { ALTBRIDGE_WORKER: 'external', ALTBRIDGE_RECONCILE_GRACE_MS: '0' });
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
}, 120_000);

afterAll(async () => {
  await app?.close();
});

test('the queue name and Redis prefix are derived from the app name and database, one per app', () => {
  const blog = { name: 'blog', client: 'postgres', host: '127.0.0.1', port: 5432, database: 'blog', schema: '' };
  const id = appId(blog);
  expect(id).toMatch(/^blog-[0-9a-f]{8}$/);
  expect(defaultQueue(id)).toEqual({ queueName: `altbridge-captions-${id}`, queuePrefix: `altbridge:${id}` });
  // Another database, host, port, schema or app name: another queue.
  const others = [{ database: 'blog_staging' }, { host: 'db.internal' }, { port: 5433 }, { schema: 'tenant_b' }, { name: 'shop' }].map((o) => appId({ ...blog, ...o }));
  expect(new Set([id, ...others]).size).toBe(6);
  for (const other of others) expect(defaultQueue(other).queueName).not.toBe(defaultQueue(id).queueName);
  for (const other of others) expect(defaultQueue(other).queuePrefix).not.toBe(defaultQueue(id).queuePrefix);
  // The same database written another way is the same app.
  expect(appId({ ...blog, client: 'pg', port: null, host: '127.0.0.1', schema: 'public' })).toBe(id);
  expect(appId({ ...blog, name: '@acme/Blog' })).toMatch(/^acme-blog-[0-9a-f]{8}$/);

  // The booted example app: its own facts, and the queue name derived from them (the test helper sets only the prefix).
  expect(appFacts(app.strapi)).toEqual({ name: 'altbridge-example', client: 'postgres', host: '127.0.0.1', port: 5432, database: process.env.DATABASE_NAME, schema: '' });
  expect(config().queueName).toBe(defaultQueue(appIdOf(app.strapi)).queueName);
});

test('a job waiting with no worker: GET /workers says so, with the fix', async () => {
  expect(service('consumer').isRunning()).toBe(false);
  fileId = (await upload(admin, FILE_NAME, 'image/png', await shapesScene(7))).id;
  // The upload hook queues without holding up the upload.
  await waitFor('the job queued', async () => ((await service('queue').queue().count()) === 1 ? true : undefined));
  expect((await captionRow(fileId)).status).toBe('queued');
  const { status, body } = await call(admin, 'GET', '/altbridge/workers');
  expect(status).toBe(200);
  expect(body.data).toEqual({ workers: [], waiting: 1, configured: 'external', stalled: true, fix: NO_WORKER_FIX });
});

test("after an upgrade that renamed the queue, a row still queued gets its job back on the app's queue; the old queue's job is left where it is", async () => {
  // As before the upgrade: the job in the old default queue, none in the new one.
  const jobs = service('queue').queue() as Queue;
  const [job] = await jobs.getJobs(['waiting']);
  expect(job.data).toEqual({ app: appIdOf(app.strapi), fileId });
  await job.remove();
  const legacy = new Queue('altbridge-captions', { connection: redisConnection(config().redisUrl), prefix: `${config().queuePrefix}-legacy` });
  try {
    await legacy.add('caption', { fileId }, { jobId: job.id });
    expect(await service('queue').reconcile()).toBe(1);
    const [back] = await jobs.getJobs(['waiting']);
    expect([back.id, back.data]).toEqual([job.id, { app: appIdOf(app.strapi), fileId }]);
    expect(await legacy.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
  } finally {
    await legacy.obliterate({ force: true });
    await legacy.close();
  }
});

test('a started consumer announces itself, captions the waiting job with a log line, and reports it as its last job', async () => {
  const info = jest.spyOn(app.strapi.log, 'info');
  service('consumer').start('inline');
  const [self] = await waitFor('the heartbeat', async () => {
    const live = await service('workers').list();
    return live.length ? live : undefined;
  });
  expect(self).toMatchObject({ host: os.hostname(), pid: process.pid, mode: 'inline', concurrency: config().concurrency });
  // The record expires by itself within a few beats should the process die without stopping.
  const client = await service('queue').queue().client;
  const ttl = await client.runCommand('pttl', [service('workers').keys().record(self.id)]);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(HEARTBEAT_TTL_MS);

  // The default bundle is a demonstration: its caption waits for review.
  await waitFor('the waiting job captioned', async () => ((await captionRow(fileId)).status === 'needs-review' ? true : undefined), 60_000);
  const worker = await waitFor('the heartbeat to report the job', async () => (await service('workers').list()).find((w: any) => w.lastJob?.fileId === fileId));
  expect(worker.lastJob).toEqual({ fileId, fileName: FILE_NAME, status: 'needs-review', ms: expect.any(Number), at: expect.any(String) });
  expect(worker.bundle).toBe(`shapes-mini@${loadBundle('shapes-mini').manifest.version}`);
  const lines = info.mock.calls.map((c) => String(c[0]));
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^altbridge: file ${fileId} "${FILE_NAME}": needs-review in \\d+ ms$`)));
  info.mockRestore();
  expect((await call(admin, 'GET', '/altbridge/workers')).body.data).toMatchObject({ waiting: 0, stalled: false, workers: [{ id: self.id, pid: process.pid }] });
});

test("a job carrying another app's identity is refused, and its file's caption row is not touched", async () => {
  const warn = jest.spyOn(app.strapi.log, 'warn');
  const before = await captionRow(fileId);
  const other = 'another-app-0123abcd';
  const job = await service('queue').queue().add('caption', { app: other, fileId }, { jobId: 'foreign-1', attempts: 3 });
  const failed = await waitFor('the foreign job to fail', async () => ((await job.isFailed()) ? await service('queue').queue().getJob(job.id) : undefined));
  expect(failed.failedReason).toBe(
    `another app's job: it belongs to app "${other}", this worker serves "${appIdOf(app.strapi)}"; apps sharing queue "${config().queueName}" under prefix "${config().queuePrefix}" must each have their own (leave queueName and queuePrefix to their defaults)`,
  );
  // Not retried: another attempt would be refused the same way.
  expect(failed.attemptsMade).toBe(1);
  expect(await captionRow(fileId)).toEqual(before);
  const worker = await waitFor('the heartbeat to report the refusal', async () => (await service('workers').list()).find((w: any) => w.lastJob?.status === 'refused'));
  expect(worker.lastJob).toMatchObject({ fileId, fileName: null, status: 'refused' });
  expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(new RegExp(`^altbridge: file ${fileId}: refused in \\d+ ms: another app.s job: it belongs to app "${other}"`)));
  warn.mockRestore();
});

test('a stopped consumer takes its heartbeat away; a waiting job of another app is not counted as pending', async () => {
  const [self] = await service('workers').list();
  await service('consumer').stop();
  expect(await service('workers').list()).toEqual([]);
  const client = await service('queue').queue().client;
  expect(await client.get(service('workers').keys().record(self.id))).toBeNull();
  expect(await client.hgetall(service('workers').keys().index)).toEqual({});

  // Nobody consumes now: another app's job waiting for the same file id is not this app's pending job (the reconciler would re-queue it).
  const foreign = await service('queue').queue().add('caption', { app: 'another-app-0123abcd', fileId }, { jobId: 'foreign-2' });
  expect((await service('queue').pendingFileIds()).has(fileId)).toBe(false);
  await foreign.remove();
});
