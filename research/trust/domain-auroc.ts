/**
 * How well a bundle's domain distance (worker/domain.ts) separates held-out ShapesWorld images from
 * out-of-domain ones: AUROC (the chance that an out-of-domain image lies farther than an in-domain
 * one) per source and overall, and the share of each set the p99 verdict calls 'out'. Measured and
 * printed, not asserted. Charts are drawn here (research/report/plot.ts, seeded); other sources are
 * folders the caller fills, e.g. from a Debian package or an npm package's images (not committed):
 *
 *   npx tsx research/trust/domain-auroc.ts [--bundle shapes-mini] [--work runs/domain-shapes-mini] \
 *     [--charts 60] --ood debian-desktop-base=DIR --ood emoji-google=DIR
 *
 * The in-domain set is the held-out part of the bundle's recorded ShapesWorld recipe (regenerated
 * in --work when missing); the bundle must have domain data.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import sharp from 'sharp';
import { LAB_BUNDLE, loadClip } from '../../worker/bundle/load';
import { Manifest } from '../../worker/bundle/manifest';
import { mahalanobis } from '../../worker/domain';
import { embedImages } from '../../worker/images-mean';
import { Rng } from '../../worker/train/rng';
import { barChart, lineChart, scatterPlot } from '../report/plot';
import { shapesData, ShapesBuild } from '../shapes/build';
import { readShapesPart } from '../shapes/data';

/** Image files (PNG, JPEG, SVG, WebP) under a folder, at any depth, in a stable order. */
function imagesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(png|jpe?g|svg|webp)$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** P(out farther than in), ties counted half: the Mann-Whitney form of the AUROC. */
export function auroc(inside: number[], outside: number[]): number {
  let wins = 0;
  for (const a of inside) for (const b of outside) wins += b > a ? 1 : b === a ? 0.5 : 0;
  return wins / (inside.length * outside.length);
}

/** `count` seeded line, bar and scatter charts as PNG files in `dir`. */
export async function drawCharts(dir: string, count: number, seed: number): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const rng = new Rng(seed, i);
    const pts = (n: number): [number, number][] => Array.from({ length: n }, (_, k) => [k, rng.uniform() * 10]);
    const kind = i % 3;
    const svg =
      kind === 0
        ? lineChart({
            title: `Series ${i}`,
            xLabel: 'step',
            yLabel: 'loss',
            series: [
              { name: 'a', points: pts(20) },
              { name: 'b', points: pts(20) },
            ],
          })
        : kind === 1
          ? barChart({
              title: `Bars ${i}`,
              yLabel: 'score',
              groups: ['x', 'y', 'z', 'w'],
              series: [
                { name: 'a', values: pts(4).map((p) => p[1]) },
                { name: 'b', values: pts(4).map((p) => p[1]) },
              ],
            })
          : scatterPlot({ title: `Scatter ${i}`, xLabel: 'u', yLabel: 'v', groups: [{ name: 'a', points: pts(40).map(([, y]) => [rng.uniform(), y]) }] });
    const file = path.join(dir, `chart-${i}.png`);
    await sharp(Buffer.from(svg)).png().toFile(file);
    files.push(file);
  }
  return files;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bundle: { type: 'string' }, work: { type: 'string' }, charts: { type: 'string' }, ood: { type: 'string', multiple: true } } });
  const ref = values.bundle ?? LAB_BUNDLE;
  const bundle = loadClip(ref);
  const m = bundle.manifest as Partial<Manifest> & typeof bundle.manifest;
  const domain = bundle.domain;
  if (!domain) throw new Error(`bundle ${ref} has no domain data: npx altbridge images-mean --bundle ${ref} --domain-only ...`);
  const recipe = m.provenance.recipe?.shapes as ShapesBuild | undefined;
  if (!recipe) throw new Error(`bundle ${ref} records no ShapesWorld recipe`);
  const data = await shapesData(path.resolve(values.work ?? path.join('runs', `domain-${m.name}`)), recipe.data);
  const distances = async (files: string[]) => {
    const { embeds, failures } = await embedImages(bundle, files);
    for (const f of failures) process.stderr.write(`${f.file}: skipped: ${f.error}\n`);
    const dim = m.clip.embedDim;
    return Array.from({ length: embeds.length / dim }, (_, r) => mahalanobis(domain, embeds.subarray(r * dim, (r + 1) * dim)));
  };
  const inside = await distances(readShapesPart(data, 'heldout').map((h) => h.image));
  const sources: [string, string[]][] = (values.ood ?? []).map((s) => {
    const at = s.indexOf('=');
    if (at < 1) throw new Error(`--ood wants NAME=DIR, got "${s}"`);
    return [s.slice(0, at), imagesUnder(s.slice(at + 1))];
  });
  const charts = Number(values.charts ?? 60);
  if (charts > 0) sources.push(['charts (research/report/plot.ts)', await drawCharts(fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-charts-')), charts, 0)]);
  const p99 = domain.quantiles[99];
  const outShare = (d: number[]) => d.filter((v) => v > p99).length / d.length;
  const median = (d: number[]) => [...d].sort((a, b) => a - b)[Math.floor(d.length / 2)];
  process.stdout.write(`bundle ${m.name}@${m.version}: ${m.domain?.description}; p99 threshold ${p99.toFixed(2)}\n`);
  process.stdout.write(`in-domain: ${inside.length} held-out ShapesWorld images, median distance ${median(inside).toFixed(2)}, called out ${(100 * outShare(inside)).toFixed(1)} %\n`);
  const all: number[] = [];
  for (const [name, files] of sources) {
    const d = await distances(files);
    all.push(...d);
    process.stdout.write(`${name}: ${d.length} images, median distance ${median(d).toFixed(2)}, called out ${(100 * outShare(d)).toFixed(1)} %, AUROC ${auroc(inside, d).toFixed(4)}\n`);
  }
  process.stdout.write(`all out-of-domain: ${all.length} images, AUROC ${auroc(inside, all).toFixed(4)}\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`domain-auroc: ${err.message}\n`);
    process.exit(1);
  });
}
