/**
 * `npx tsx bench/audit.ts [--images 10000] [--runs 5]`: the accessibility audit on a large library.
 * Boots the example app on a fresh PostgreSQL database, generates the rows in SQL (images with every
 * kind of alt text, caption rows, decorative marks, and Articles that use the images in a field and
 * in a component, draft and published), then times the audit service as the admin API calls it:
 * the first page of the report, a deep page, one rule's list, and the CSV / JSON / HTML exports.
 * Figures only; the database is dropped at the end.
 */
import { createStrapi, type Core, type UID } from '@strapi/strapi';
import * as os from 'os';
import * as path from 'path';
import { getService } from '../server/src/utils';
import { numberOption, runMain } from './args';
import { adminSql } from './pg';
import { PACKAGE_ROOT } from '../worker/package-root';

/** The rows of a library of `n` images: one alt-text kind per residue of the id mod 20. */
async function generate(strapi: Core.Strapi, n: number): Promise<{ entries: number }> {
  const t = (uid: string) => strapi.db.metadata.get(uid as UID.Schema).tableName;
  const db = strapi.db.connection;
  const [files, captions, decorative, articles] = [t('plugin::upload.file'), t('plugin::altbridge.caption'), t('plugin::altbridge.decorative'), t('api::article.article')];
  await db.raw(
    `insert into "${files}" (document_id, name, alternative_text, hash, ext, mime, size, url, provider, folder_path, created_at, updated_at, published_at)
    select 'f' || i, 'photo-' || i || '.png',
      case i % 20
        when 8 then 'IMG_' || (1000 + i) || '.jpg' when 9 then 'image' when 10 then 'Photo of a dog number ' || i
        when 11 then null when 12 then '' when 13 then 'Our team' when 14 then repeat('a long description of a harbour ', 8)
        when 15 then 'RED BOAT NUMBER ' || i
        when 16 then 'a red circle above a blue square ' || i when 17 then 'a red circle above a blue square ' || i
        else 'A red boat moored in a quiet harbour, number ' || i end,
      'h' || i, '.png', 'image/png', 12.5, '/uploads/photo-' || i || '.png', 'local', '/', now(), now(), now()
    from generate_series(1, ?) i`,
    [n],
  );
  // Machine captions on the file (16, 17), withheld or failed ones on files without text (11, 12).
  await db.raw(
    `insert into "${captions}" (document_id, file_id, file_name, text, status, source, confidence, quality, domain_verdict, machine_alt, created_at, updated_at, published_at)
    select 'c' || f.id, f.id, f.name, case when f.id % 20 in (16, 17) then f.alternative_text else 'a shape' end,
      case f.id % 20 when 16 then 'suggested' when 17 then 'approved' when 11 then 'needs-review' else 'failed' end,
      'machine', -1.2, 0.8, 'in', case when f.id % 20 = 16 then f.alternative_text end, now(), now(), now()
    from "${files}" f where f.id % 20 in (11, 12, 16, 17)`,
  );
  await db.raw(
    `insert into "${decorative}" (document_id, file_id, reason, created_at, updated_at, published_at) select 'd' || id, id, 'Background', now(), now(), now() from "${files}" where id % 100 = 12`,
  );
  // One Article per 5 images: its cover, and a figure component with the next image; every other one also published.
  const docs = Math.floor(n / 5);
  await db.raw(
    `insert into "${articles}" (document_id, title, created_at, updated_at, published_at)
    select 'a' || j, 'Article ' || j, now(), now(), null from generate_series(1, ?) j
    union all select 'a' || j, 'Article ' || j, now(), now(), now() from generate_series(1, ?) j where j % 2 = 0`,
    [docs, docs],
  );
  await db.raw(`insert into components_shared_figures (caption) select 'figure of ' || id from "${articles}" order by id`);
  await db.raw(`insert into articles_cmps (entity_id, cmp_id, component_type, field, "order") select a.id, a.id, 'shared.figure', 'figures', 1 from "${articles}" a`);
  const entry = `(substring(a.document_id from 2)::int)`;
  await db.raw(
    `insert into files_related_mph (file_id, related_id, related_type, field, "order")
    select ${entry} * 5, a.id, 'api::article.article', 'cover', 1 from "${articles}" a
    union all select ${entry} * 5 - 1, a.id, 'shared.figure', 'image', 1 from "${articles}" a`,
  );
  await db.raw('analyze');
  return { entries: docs };
}

async function time<T>(runs: number, f: () => Promise<T>): Promise<{ ms: number; last: T }> {
  const ms: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], last };
}

runMain(async () => {
  const images = numberOption('images', 10_000);
  const runs = numberOption('runs', 5);
  const run = `${process.pid}_${Date.now()}`;
  const database = `altbridge_bench_${run}`;
  await adminSql(`CREATE DATABASE "${database}"`);
  Object.assign(process.env, {
    DATABASE_NAME: database,
    ALTBRIDGE_QUEUE_PREFIX: `altbridge-bench-${run}`,
    ALTBRIDGE_WORKER: 'external',
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL ?? 'error',
    STRAPI_STARTUP_LOG: 'false',
  });
  const appDir = path.join(PACKAGE_ROOT, 'example');
  const strapi = await createStrapi({ appDir, distDir: appDir, serveAdminPanel: false }).load();
  try {
    const t0 = performance.now();
    const { entries } = await generate(strapi, images);
    const audit = getService(strapi, 'audit');
    const gen = performance.now() - t0;
    const first = await time(runs, () => audit.report({ page: 1, pageSize: 50 }));
    const r = first.last;
    const deep = await time(runs, () => audit.report({ page: Math.max(1, Math.floor(r.attention.pagination.pageCount / 2)), pageSize: 50 }));
    const rule = await time(runs, () => audit.report({ page: 1, pageSize: 50, rule: 'duplicate' }));
    const out: string[] = [
      `bench audit: ${images} images (${r.totals.compliant} compliant, ${r.totals.decorative} decorative, ${r.attention.total} needing attention), ${entries} Articles (draft and published) using them; ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}; rows generated in ${(gen / 1000).toFixed(1)} s`,
      `  report, first page (50 of ${r.attention.total})   median ${first.ms.toFixed(0)} ms of ${runs}`,
      `  report, page ${Math.max(1, Math.floor(r.attention.pagination.pageCount / 2))}                  median ${deep.ms.toFixed(0)} ms`,
      `  report, one rule (duplicate)    median ${rule.ms.toFixed(0)} ms`,
    ];
    for (const format of ['csv', 'json', 'html'] as const) {
      const e = await time(1, () => audit.export({ format, scope: 'all' }));
      out.push(`  export ${format.padEnd(4)} every image      ${e.ms.toFixed(0)} ms (${(Buffer.byteLength(e.last.body) / 1e6).toFixed(1)} MB)`);
    }
    out.push(`  heap used at the end           ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
    console.log(out.join('\n'));
  } finally {
    await strapi.destroy();
    await adminSql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
  }
});
