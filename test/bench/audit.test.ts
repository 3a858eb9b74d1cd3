/** `npx tsx bench/audit.ts` on a small library: it runs, prints its figures and drops its database. */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Client } from 'pg';

const ROOT = path.join(__dirname, '..', '..');

test('bench/audit.ts --images 200 prints the report and export times, and drops its database', async () => {
  const env = { ...process.env, STRAPI_LOG_LEVEL: 'error' };
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'bench', 'audit.ts'), '--images', '200', '--runs', '1'], { env, encoding: 'utf8', timeout: 240_000 });
  console.log(r.stdout);
  expect([r.status, r.stderr.includes('bench:') ? r.stderr : '']).toEqual([0, '']);
  expect(r.stdout).toMatch(/^bench audit: 200 images \(122 compliant, 2 decorative, 88 needing attention\), 40 Articles/);
  expect(r.stdout).toMatch(/report, first page \(50 of 88\) +median \d+ ms of 1/);
  for (const format of ['csv', 'json', 'html']) expect(r.stdout).toMatch(new RegExp(`export ${format} +every image +\\d+ ms \\([\\d.]+ MB\\)`));

  const pg = new Client({ host: process.env.DATABASE_HOST ?? '127.0.0.1', port: Number(process.env.DATABASE_PORT ?? 5432), user: process.env.DATABASE_USERNAME ?? 'postgres', database: 'postgres' });
  await pg.connect();
  try {
    expect((await pg.query(`SELECT datname FROM pg_database WHERE datname LIKE 'altbridge_bench_${r.pid}_%'`)).rows).toEqual([]);
  } finally {
    await pg.end();
  }
}, 300_000);
