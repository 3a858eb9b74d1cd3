/**
 * Minimal SVG charts for the quality report (line, grouped bar, scatter), rasterised to PNG by
 * sharp, so that the report needs no plotting dependency. Non-finite values are skipped and
 * zero-width ranges widened, so degenerate data still draws (never "NaN" in the SVG).
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; points: [number, number][] }[];
  width?: number;
  height?: number;
  /** Explicit x ticks (e.g. the M values that were run) instead of computed ones. */
  xTicks?: number[];
}

export interface BarChartOptions {
  title: string;
  yLabel: string;
  groups: string[];
  series: { name: string; values: number[] }[];
  width?: number;
  height?: number;
}

export interface ScatterPlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  groups: { name: string; points: [number, number][] }[];
  width?: number;
  height?: number;
}

/** Okabe–Ito, reordered so the first colours are the most distinct on white (yellow late). */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];
const FONT = 'font-family="DejaVu Sans, sans-serif"';
const colour = (i: number) => PALETTE[i % PALETTE.length];
const f1 = (v: number) => v.toFixed(1);

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${f1(x)}" y="${f1(y)}" ${FONT} ${attrs}>${escapeXml(s)}</text>`;
}

interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  label: (v: number) => string;
}

/** 1, 2 or 5 × 10^k: the step that gives about `count` intervals over `span`. */
export function niceStep(span: number, count = 5): number {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Finite min and max; [0, 1] when there are none, widened when equal, so scales never divide by zero. */
function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

/** An axis whose ends are multiples of a nice step covering the finite values. */
function niceAxis(values: number[]): Axis {
  const [min, max] = extent(values);
  const step = niceStep(max - min);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const ticks = Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
  return { lo, hi, ticks, label: (v) => v.toFixed(decimals) };
}

/** Axis on caller-given ticks, widened to any data that falls outside them. */
function explicitAxis(ticks: number[], values: number[]): Axis {
  const [lo, hi] = extent([...ticks, ...values]);
  return { lo, hi, ticks: ticks.filter(Number.isFinite), label: (v) => String(v) };
}

/** Value label for a bar: more decimals for small magnitudes. */
function valueLabel(v: number): string {
  const a = Math.abs(v);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

type Marker = 'line' | 'box' | 'dot';

interface Frame {
  parts: string[];
  x: (v: number) => number;
  y: (v: number) => number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * Background, title, axis labels, y grid and ticks, x grid and ticks (when the axis has any),
 * and a legend to the right of the plot, sized to its longest name. `inset` pixels between the
 * frame and the data range keep markers on the extreme values off the border.
 */
function frame(o: { title: string; xLabel: string; yLabel: string; width: number; height: number }, xAxis: Axis, yAxis: Axis, legend: { names: string[]; marker: Marker }, inset: number): Frame {
  const legendWidth = legend.names.length ? 36 + 7.2 * Math.max(...legend.names.map((n) => n.length)) : 0;
  const left = 72;
  const top = 48;
  const right = o.width - 16 - legendWidth;
  const bottom = o.height - 52;
  const x = (v: number) => left + inset + ((v - xAxis.lo) / (xAxis.hi - xAxis.lo)) * (right - left - 2 * inset);
  const y = (v: number) => bottom - inset - ((v - yAxis.lo) / (yAxis.hi - yAxis.lo)) * (bottom - top - 2 * inset);
  const parts = [
    `<rect width="${o.width}" height="${o.height}" fill="white"/>`,
    text(o.width / 2, 26, o.title, 'font-size="16" font-weight="bold" text-anchor="middle"'),
    text((left + right) / 2, o.height - 12, o.xLabel, 'font-size="13" text-anchor="middle"'),
    text(0, 0, o.yLabel, `font-size="13" text-anchor="middle" transform="translate(18 ${f1((top + bottom) / 2)}) rotate(-90)"`),
  ];
  for (const t of yAxis.ticks) {
    parts.push(`<line x1="${left}" x2="${f1(right)}" y1="${f1(y(t))}" y2="${f1(y(t))}" stroke="#e0e0e0"/>`);
    parts.push(text(left - 6, y(t) + 4, yAxis.label(t), 'font-size="11" text-anchor="end"'));
  }
  for (const t of xAxis.ticks) {
    parts.push(`<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${top}" y2="${bottom}" stroke="#e0e0e0"/>`);
    parts.push(text(x(t), bottom + 16, xAxis.label(t), 'font-size="11" text-anchor="middle"'));
  }
  parts.push(`<rect x="${left}" y="${top}" width="${f1(right - left)}" height="${bottom - top}" fill="none" stroke="#444"/>`);
  legend.names.forEach((name, i) => {
    const lx = right + 14;
    const ly = top + 8 + i * 20;
    const c = colour(i);
    if (legend.marker === 'line') {
      parts.push(`<line x1="${f1(lx)}" x2="${f1(lx + 18)}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="2"/>`);
      parts.push(`<circle cx="${f1(lx + 9)}" cy="${ly}" r="3.5" fill="${c}"/>`);
    } else if (legend.marker === 'box') {
      parts.push(`<rect x="${f1(lx + 3)}" y="${ly - 6}" width="12" height="12" fill="${c}"/>`);
    } else {
      parts.push(`<circle cx="${f1(lx + 9)}" cy="${ly}" r="5" fill="${c}" fill-opacity="0.6"/>`);
    }
    parts.push(text(lx + 24, ly + 4, name, 'font-size="12"'));
  });
  return { parts, x, y, left, right, top, bottom };
}

function svgDocument(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join('\n')}\n</svg>\n`;
}

const finitePoints = (points: [number, number][]) => points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));

/** One polyline with point markers per series. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 800;
  const height = o.height ?? 480;
  const series = o.series.map((s) => ({ name: s.name, points: finitePoints(s.points) }));
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xAxis = o.xTicks ? explicitAxis(o.xTicks, xs) : niceAxis(xs);
  const f = frame({ ...o, width, height }, xAxis, niceAxis(ys), { names: series.map((s) => s.name), marker: 'line' }, 10);
  series.forEach((s, i) => {
    const pts = s.points.map(([px, py]) => [f1(f.x(px)), f1(f.y(py))]);
    if (pts.length > 1) f.parts.push(`<polyline points="${pts.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${colour(i)}" stroke-width="2"/>`);
    for (const [cx, cy] of pts) f.parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${colour(i)}" stroke="white"/>`);
  });
  return svgDocument(width, height, f.parts);
}

/** Bars grouped by category, one colour per series, each labelled with its value. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 800;
  const height = o.height ?? 480;
  const values = o.series.flatMap((s) => s.values);
  // Bars grow from zero, so zero is always on the axis.
  const yAxis = niceAxis([0, ...values]);
  const n = Math.max(1, o.groups.length);
  const xAxis: Axis = { lo: 0, hi: n, ticks: [], label: String };
  const f = frame({ ...o, xLabel: '', width, height }, xAxis, yAxis, { names: o.series.map((s) => s.name), marker: 'box' }, 0);
  const band = (f.right - f.left) / n;
  const barWidth = (band * 0.8) / Math.max(1, o.series.length);
  o.groups.forEach((g, gi) => f.parts.push(text(f.x(gi + 0.5), f.bottom + 16, g, 'font-size="12" text-anchor="middle"')));
  o.series.forEach((s, si) => {
    s.values.slice(0, o.groups.length).forEach((v, gi) => {
      if (!Number.isFinite(v)) return;
      const bx = f.x(gi) + band * 0.1 + si * barWidth;
      const [y0, y1] = [f.y(0), f.y(v)];
      f.parts.push(`<rect x="${f1(bx)}" y="${f1(Math.min(y0, y1))}" width="${f1(barWidth)}" height="${f1(Math.abs(y1 - y0))}" fill="${colour(si)}"/>`);
      const ly = v >= 0 ? y1 - 4 : y1 + 12;
      f.parts.push(text(bx + barWidth / 2, ly, valueLabel(v), 'font-size="10" text-anchor="middle"'));
    });
  });
  return svgDocument(width, height, f.parts);
}

/** Small semi-transparent dots, one colour per group, so dense overlapping clouds stay readable. */
export function scatterPlot(o: ScatterPlotOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 520;
  const groups = o.groups.map((g) => ({ name: g.name, points: finitePoints(g.points) }));
  const xAxis = niceAxis(groups.flatMap((g) => g.points.map((p) => p[0])));
  const yAxis = niceAxis(groups.flatMap((g) => g.points.map((p) => p[1])));
  const f = frame({ ...o, width, height }, xAxis, yAxis, { names: groups.map((g) => g.name), marker: 'dot' }, 10);
  groups.forEach((g, i) => {
    for (const [px, py] of g.points) {
      f.parts.push(`<circle cx="${f1(f.x(px))}" cy="${f1(f.y(py))}" r="2.5" fill="${colour(i)}" fill-opacity="0.5"/>`);
    }
  });
  return svgDocument(width, height, f.parts);
}

/** Rasterises `svg` to a PNG at `file` (1 SVG unit = 1 pixel), creating its folder. */
export async function writePng(svg: string, file: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(svg)).png().toFile(file);
}
