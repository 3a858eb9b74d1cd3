/**
 * Report charts: the SVG is well formed and escaped, has nice ticks, legends and value labels,
 * never says NaN for degenerate data, and sharp renders it to a PNG of the asked size that shows
 * the series colours.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { barChart, lineChart, niceStep, scatterPlot, writePng } from '../../../research/report/plot';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmpFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plot-'));
  made.push(dir);
  return path.join(dir, 'nested', name);
}

/** Why `svg` is not well-formed XML (unbalanced tags, bare `<` or `&`), or null. */
function malformed(svg: string): string | null {
  if (/<(?![/a-zA-Z])/.test(svg)) return 'bare <';
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(svg)) return 'bare &';
  const stack: string[] = [];
  for (const [, close, name, selfClose] of svg.matchAll(/<(\/?)([a-zA-Z]+)(?:\s[^>]*?)?(\/?)>/g)) {
    if (selfClose) continue;
    if (!close) stack.push(name);
    else if (stack.pop() !== name) return `unbalanced </${name}>`;
  }
  return stack.length ? `unclosed <${stack.join('><')}>` : null;
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

/** Renders to a PNG file and returns its size and whether a pixel near `rgb` exists. */
async function render(svg: string, rgb: [number, number, number]) {
  const file = tmpFile('chart.png');
  await writePng(svg, file);
  const meta = await sharp(file).metadata();
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let found = false;
  for (let i = 0; i < data.length && !found; i += info.channels) {
    found = Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 12;
  }
  const stats = await sharp(file).stats();
  return { width: meta.width, height: meta.height, format: meta.format, found, blank: stats.channels.every((c) => c.min === c.max) };
}

const BLUE: [number, number, number] = [0x00, 0x72, 0xb2];
const VERMILLION: [number, number, number] = [0xd5, 0x5e, 0x00];

describe('niceStep', () => {
  it('picks 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(10)).toBe(2);
    expect(niceStep(1)).toBeCloseTo(0.2, 12);
    expect(niceStep(0.37)).toBeCloseTo(0.1, 12);
    expect(niceStep(900)).toBe(200);
    expect(niceStep(23)).toBe(5);
  });
});

describe('lineChart', () => {
  const svg = lineChart({
    title: 'Recall <M> & friends',
    xLabel: 'M (bridge steps)',
    yLabel: 'recall@1',
    series: [
      {
        name: 'bridge',
        points: [
          [0, 0.1],
          [100, 0.35],
          [200, 0.5],
          [400, 0.62],
          [900, 0.7],
        ],
      },
      {
        name: 'baseline "b"',
        points: [
          [0, 0.2],
          [900, 0.2],
        ],
      },
    ],
    xTicks: [0, 100, 200, 400, 600, 800, 900],
    width: 700,
    height: 420,
  });

  it('is well formed, escaped and labelled', () => {
    expect(malformed(svg)).toBeNull();
    expect(svg).toContain('Recall &lt;M&gt; &amp; friends');
    expect(svg).not.toContain('<M>');
    const labels = texts(svg);
    expect(labels).toEqual(expect.arrayContaining(['bridge', 'baseline &quot;b&quot;', 'M (bridge steps)', 'recall@1']));
    expect(labels).toEqual(expect.arrayContaining(['0', '100', '200', '400', '600', '800', '900']));
    expect(labels).toEqual(expect.arrayContaining(['0.0', '0.2', '0.4', '0.6', '0.8']));
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)!.length).toBeGreaterThanOrEqual(7);
  });

  it('renders to a PNG of the requested size showing each series colour', async () => {
    const png = await render(svg, BLUE);
    expect(png).toMatchObject({ width: 700, height: 420, format: 'png', found: true, blank: false });
    expect((await render(svg, VERMILLION)).found).toBe(true);
  });

  it('draws degenerate series (equal values, one point, NaN) without NaN', async () => {
    const degenerate = lineChart({
      title: 'flat',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'flat',
          points: [
            [1, 3],
            [2, 3],
            [3, 3],
          ],
        },
        { name: 'one', points: [[2, 3]] },
        {
          name: 'holes',
          points: [
            [NaN, 1],
            [2, NaN],
            [Infinity, 3],
          ],
        },
      ],
    });
    expect(degenerate).not.toMatch(/NaN|Infinity/);
    expect(malformed(degenerate)).toBeNull();
    expect((await render(degenerate, BLUE)).found).toBe(true);
    const empty = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] });
    expect(empty).not.toMatch(/NaN|Infinity/);
    expect((await render(empty, BLUE)).width).toBe(800);
  });
});

describe('barChart', () => {
  const svg = barChart({
    title: 'Caption metrics',
    yLabel: 'score',
    groups: ['BLEU-4', 'CIDEr', 'recall@5'],
    series: [
      { name: 'image', values: [0.4217, 1.2, 0.93] },
      { name: 'bridge', values: [0.31, 0.95, NaN] },
    ],
    width: 640,
    height: 400,
  });

  it('labels bars with their values and groups with their names', () => {
    expect(malformed(svg)).toBeNull();
    const labels = texts(svg);
    expect(labels).toEqual(expect.arrayContaining(['0.42', '1.20', '0.93', '0.31', '0.95', 'BLEU-4', 'CIDEr', 'recall@5', 'image', 'bridge']));
    // Two legend swatches, plus five finite bars; the NaN one is skipped.
    expect(svg.match(/<rect [^>]*fill="#(0072B2|D55E00)"/g)).toHaveLength(7);
    expect(svg).not.toMatch(/NaN/);
  });

  it('renders at the requested size', async () => {
    expect(await render(svg, VERMILLION)).toMatchObject({ width: 640, height: 400, found: true, blank: false });
  });

  it('handles all-zero and negative values', async () => {
    const zeros = barChart({ title: 'z', yLabel: 'y', groups: ['a', 'b'], series: [{ name: 's', values: [0, 0] }] });
    expect(zeros).not.toMatch(/NaN|Infinity/);
    expect(malformed(zeros)).toBeNull();
    const negative = barChart({ title: 'n', yLabel: 'y', groups: ['a'], series: [{ name: 's', values: [-150] }] });
    expect(texts(negative)).toContain('-150');
    expect(await render(negative, BLUE)).toMatchObject({ found: true, blank: false });
  });
});

describe('scatterPlot', () => {
  const cloud = (cx: number, n: number) => Array.from({ length: n }, (_, i) => [cx + Math.cos(i) * 2, Math.sin(i * 1.7)] as [number, number]);
  const svg = scatterPlot({
    title: 'PCA of embeddings',
    xLabel: 'PC1 (61%)',
    yLabel: 'PC2 (12%)',
    groups: [
      { name: 'images', points: cloud(0, 50) },
      { name: 'captions', points: cloud(5, 50) },
      { name: 'bridged', points: [] },
    ],
    width: 500,
    height: 500,
  });

  it('draws one semi-transparent dot per point and a legend', () => {
    expect(malformed(svg)).toBeNull();
    expect(svg.match(/<circle [^>]*r="2.5" [^>]*fill-opacity="0.5"/g)).toHaveLength(100);
    expect(texts(svg)).toEqual(expect.arrayContaining(['images', 'captions', 'bridged', 'PC1 (61%)']));
  });

  it('renders at the requested size', async () => {
    expect(await render(svg, BLUE)).toMatchObject({ width: 500, height: 500, blank: false });
  });

  it('draws a single point and NaN points without NaN', async () => {
    const one = scatterPlot({
      title: 'one',
      xLabel: 'x',
      yLabel: 'y',
      groups: [
        {
          name: 'g',
          points: [
            [1, 1],
            [NaN, 2],
          ],
        },
      ],
    });
    expect(one).not.toMatch(/NaN|Infinity/);
    expect(one.match(/<circle [^>]*r="2.5"/g)).toHaveLength(1);
    expect((await render(one, BLUE)).blank).toBe(false);
  });
});
