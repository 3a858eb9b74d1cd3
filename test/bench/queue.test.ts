/** `altbridge bench queue` end to end with a handful of images: it runs, prints its figures and leaves nothing behind. */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Client } from 'pg';

const ROOT = path.join(__dirname, '..', '..');

test('bench queue --images 5 prints images/s, the queue wait and the stages, and drops its database', async () => {
  const env = { ...process.env, ALTBRIDGE_THREADS: '1', STRAPI_LOG_LEVEL: 'error' };
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'altbridge.js'), 'bench', 'queue', '--images', '5', '--upload-concurrency', '2'], { env, encoding: 'utf8', timeout: 240_000 });
  console.log(r.stdout);
  expect([r.status, /^altbridge: /m.test(r.stderr) ? r.stderr : '']).toEqual([0, '']);
  expect(r.stdout).toMatch(/^bench queue: 5 images through Strapi/);
  expect(r.stdout).toMatch(/end to end +\d+\.\d+ images\/s +\(\d+\.\d s; 5 captioned, 0 failed\)/);
  expect(r.stdout).toMatch(/queue wait +mean \d+\.\d +p50 \d+\.\d +p95 \d+\.\d/);
  expect(r.stdout).toMatch(/engine stages +preprocess [\d.]+ +clip [\d.]+ +bridge [\d.]+ +decoder [\d.]+ ms/);

  const pg = new Client({ host: process.env.DATABASE_HOST ?? '127.0.0.1', port: Number(process.env.DATABASE_PORT ?? 5432), user: process.env.DATABASE_USERNAME ?? 'postgres', database: 'postgres' });
  await pg.connect();
  try {
    const left = await pg.query(`SELECT datname FROM pg_database WHERE datname LIKE 'altbridge_bench_${r.pid}_%'`);
    expect(left.rows).toEqual([]);
  } finally {
    await pg.end();
  }
}, 300_000);
