/**
 * `npx altbridge bench queue`: the whole path measured on a real Strapi. Boots the app (like the
 * worker command, plus the inline worker) on a fresh PostgreSQL database, a fresh uploads folder and
 * a Redis key prefix of its own; uploads generated ShapesWorld scenes through the upload service;
 * waits until every file has its caption stored; prints images/s end to end (first upload started
 * -> last caption stored), the queue wait (job created -> processing started), the time in the
 * worker per job and the engine's stages. Figures only: nothing is asserted. Everything it made is
 * removed at the end.
 */
import { createStrapi, type Core } from '@strapi/strapi';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../worker/train/rng';
import { renderScene } from '../research/shapes/render';
import { sampleScene } from '../research/shapes/scene';
import { adminSql } from './pg';

export interface BenchQueueOptions {
  images: number;
  appDir: string;
  /** Worker concurrency (jobs in hand at once). */
  concurrency?: number;
  /** Uploads in flight at once. */
  uploadConcurrency: number;
  seed: number;
  size: number;
  timeoutSec: number;
  log?: (line: string) => void;
}

export interface BenchQueueResult {
  images: number;
  captioned: number;
  failed: number;
  wallSec: number;
  imagesPerSec: number;
  uploadMs: Stats;
  queueWaitMs: Stats;
  workerMs: Stats;
  stagesMs: Record<string, number>;
}

interface Stats {
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(xs: number[]): Stats {
  if (xs.length === 0) return { mean: NaN, p50: NaN, p95: NaN, max: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

export async function benchQueue(o: BenchQueueOptions): Promise<BenchQueueResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const run = `${process.pid}_${Date.now()}`;
  const database = `altbridge_bench_${run}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-bench-'));
  const publicDir = path.join(work, 'public');
  fs.mkdirSync(path.join(publicDir, 'uploads'), { recursive: true });

  log(`rendering ${o.images} ShapesWorld scenes (${o.size} px)...`);
  const files: string[] = [];
  for (let i = 0; i < o.images; i++) {
    const rng = new Rng(o.seed, 77, i);
    const file = path.join(work, `scene-${String(i).padStart(4, '0')}.png`);
    fs.writeFileSync(file, await renderScene(sampleScene(rng), o.size, rng));
    files.push(file);
  }

  await adminSql(`CREATE DATABASE "${database}"`);
  Object.assign(process.env, {
    DATABASE_NAME: database,
    PUBLIC_DIR: publicDir,
    ALTBRIDGE_QUEUE_PREFIX: `altbridge-bench-${run}`,
    ALTBRIDGE_WORKER: 'inline',
    ...(o.concurrency ? { ALTBRIDGE_CONCURRENCY: String(o.concurrency) } : {}),
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL ?? 'error',
    STRAPI_STARTUP_LOG: 'false',
  });
  log(`booting Strapi (${o.appDir}) on database ${database}...`);
  const strapi = await createStrapi({ appDir: o.appDir, distDir: o.appDir, serveAdminPanel: false }).load();
  const queue = strapi.plugin('altbridge').service('queue').queue();
  try {
    // The engine opens its bundle at the first job: one warm-up image, not counted.
    const warm = await uploadOne(strapi, files[0], 'warm-up.png');
    await waitCaptioned(strapi, [warm], o.timeoutSec);
    await queue.clean(0, 0, 'completed');

    log(`uploading ${o.images} images (${o.uploadConcurrency} at a time) and waiting for their captions...`);
    const uploadMs: number[] = [];
    const ids: number[] = [];
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(o.uploadConcurrency, files.length) }, async () => {
        while (next < files.length) {
          const i = next++;
          const t = performance.now();
          ids.push(await uploadOne(strapi, files[i], path.basename(files[i])));
          uploadMs.push(performance.now() - t);
        }
      }),
    );
    const rows = await waitCaptioned(strapi, ids, o.timeoutSec);
    const wallSec = (performance.now() - t0) / 1000;

    const jobs = (await queue.getJobs(['completed', 'failed'])).filter((j: { data: { fileId: number } }) => ids.includes(j.data.fileId));
    const queueWaitMs = jobs.filter((j: { processedOn?: number }) => j.processedOn).map((j: { processedOn: number; timestamp: number }) => j.processedOn - j.timestamp);
    const workerMs = jobs
      .filter((j: { finishedOn?: number; processedOn?: number }) => j.finishedOn && j.processedOn)
      .map((j: { finishedOn: number; processedOn: number }) => j.finishedOn - j.processedOn);
    const stagesMs: Record<string, number> = {};
    const ok = rows.filter((r) => r.status !== 'failed');
    for (const r of ok) for (const [k, v] of Object.entries(r.timings ?? {})) stagesMs[k] = (stagesMs[k] ?? 0) + v / ok.length;
    return {
      images: o.images,
      captioned: ok.length,
      failed: rows.length - ok.length,
      wallSec,
      imagesPerSec: o.images / wallSec,
      uploadMs: stats(uploadMs),
      queueWaitMs: stats(queueWaitMs),
      workerMs: stats(workerMs),
      stagesMs,
    };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await strapi.destroy();
    await adminSql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function uploadOne(strapi: Core.Strapi, file: string, name: string): Promise<number> {
  const [row] = await strapi
    .plugin('upload')
    .service('upload')
    .upload({ data: { fileInfo: { name } }, files: { filepath: file, originalFilename: name, mimetype: 'image/png', size: fs.statSync(file).size } });
  return row.id;
}

async function waitCaptioned(strapi: Core.Strapi, ids: number[], timeoutSec: number): Promise<{ status: string; timings: Record<string, number> | null }[]> {
  const until = Date.now() + timeoutSec * 1000;
  for (;;) {
    const rows = await strapi.db.query('plugin::altbridge.caption').findMany({ where: { fileId: { $in: ids }, status: { $ne: 'queued' } }, select: ['status', 'timings'] });
    if (rows.length >= ids.length) return rows;
    if (Date.now() > until) throw new Error(`bench queue: only ${rows.length} of ${ids.length} captions stored after ${timeoutSec} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const STAGE_ORDER = ['preprocess', 'clip', 'bridge', 'decoder'];

export function formatBenchQueue(r: BenchQueueResult, o: { concurrency: number; cpus: number }): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
  const s = (x: Stats) => `mean ${f(x.mean)}  p50 ${f(x.p50)}  p95 ${f(x.p95)}  max ${f(x.max)} ms`;
  return [
    `bench queue: ${r.images} images through Strapi upload -> BullMQ -> inline worker (concurrency ${o.concurrency}) -> caption stored; ${o.cpus} CPUs`,
    `  end to end      ${r.imagesPerSec.toFixed(2)} images/s  (${r.wallSec.toFixed(1)} s; ${r.captioned} captioned, ${r.failed} failed)`,
    `  upload call     ${s(r.uploadMs)}`,
    `  queue wait      ${s(r.queueWaitMs)}   (job created -> processing started)`,
    `  in the worker   ${s(r.workerMs)}   (processing started -> caption stored)`,
    `  engine stages   ${Object.entries(r.stagesMs)
      .sort(([a], [b]) => STAGE_ORDER.indexOf(a) - STAGE_ORDER.indexOf(b))
      .map(([k, v]) => `${k} ${f(v)}`)
      .join('  ')} ms per image (mean)`,
  ].join('\n');
}
