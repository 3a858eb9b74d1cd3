/**
 * Redis restarted while caption jobs wait. This machine's Redis keeps nothing on disk, so a restart
 * loses every queued job in Redis itself; the caption rows in PostgreSQL ('queued' from the moment
 * of the upload) are the record the reconciler rebuilds the queue from once Redis is back. Every
 * upload must end with exactly one caption.
 *
 * Redis is restarted in a finally block whatever happens: other tests and CI need it.
 */
import { execFileSync, execSync } from 'child_process';
import { Admin, call, upload } from './helpers/http';
import { PUBLISH_DEMONSTRATION, shapesScene } from './helpers/scenes';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

let app: TestApp;
let admin: Admin;

const REDIS_START = `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`;

function redisUp(): boolean {
  try {
    return execFileSync('redis-cli', ['-p', '6379', 'ping'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG';
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  await waitFor(what, async () => (ok() ? true : undefined), ms);
}

beforeAll(async () => {
  // A short grace and interval so recovery is quick; the 'ready' event alone would do it too.
  app = await bootApp('redis', { ALTBRIDGE_RECONCILE_MS: '2000', ALTBRIDGE_RECONCILE_GRACE_MS: '500' });
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
  // These tests count on the default (demonstration) bundle writing alt text.
  expect((await call(admin, 'PUT', '/altbridge/settings', PUBLISH_DEMONSTRATION)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  if (!redisUp()) execSync(REDIS_START);
  await app?.close();
});

const queue = () => app.strapi.plugin('altbridge').service('queue').queue();
/** A different in-domain scene per call: the default bundle writes (with PUBLISH_DEMONSTRATION) only what it can stand behind. */
let seed = 300;
const png = () => shapesScene(++seed);

test('jobs waiting when Redis restarts (without persistence) are all captioned once it is back, exactly once', async () => {
  // Nobody consumes: the jobs wait in Redis.
  await queue().pause();
  const files = [];
  for (const fill of ['#d22', '#2d2', '#22d', '#dd2', '#2dd']) files.push(await upload(admin, `wait-${fill.slice(1)}.png`, 'image/png', await png()));
  await waitFor('5 waiting jobs', async () => {
    const c = await queue().getJobCounts('waiting', 'paused');
    return c.waiting + c.paused === 5 ? true : undefined;
  });
  const queued = await app.strapi.db.query('plugin::altbridge.caption').findMany({ where: { status: 'queued' } });
  expect(queued.map((r: any) => r.fileId).sort()).toEqual(files.map((f) => f.id).sort());

  try {
    try {
      execFileSync('redis-cli', ['-p', '6379', 'shutdown', 'nosave'], { timeout: 5000, stdio: 'ignore' });
    } catch {
      // redis-cli reports the closed connection as an error.
    }
    await until('Redis to stop', () => !redisUp());
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    if (!redisUp()) execSync(REDIS_START);
    await until('Redis to answer again', redisUp);
  }
  // Redis came back empty: the jobs (and the pause flag) are gone; the reconciler puts the jobs back.
  expect(await queue().isPaused()).toBe(false);

  for (const f of files) {
    const row = await waitFor(
      `the caption of ${f.name}`,
      async () => {
        const rows = await app.strapi.db.query('plugin::altbridge.caption').findMany({ where: { fileId: f.id } });
        return rows.length === 1 && rows[0].status === 'suggested' ? rows[0] : undefined;
      },
      90_000,
    );
    expect(row.text).toMatch(/\w+/);
    expect(row.history).toEqual([]);
    expect((await app.strapi.db.query('plugin::upload.file').findOne({ where: { id: f.id } })).alternativeText).toBe(row.text);
  }
  // One caption row per file, and the queue is not captioning anything twice afterwards.
  const all = await app.strapi.db.query('plugin::altbridge.caption').findMany({});
  expect(all).toHaveLength(files.length);
  const { body } = await call(admin, 'GET', '/altbridge/captions?pageSize=100');
  expect(body.data.results.filter((r: any) => r.status === 'suggested')).toHaveLength(files.length);
  const done = (await queue().getJobs(['completed'])).map((j: any) => j.data.fileId).sort();
  expect(done).toEqual(files.map((f) => f.id).sort());
}, 180_000);
