/**
 * `altbridge shapes report`: measures (measure.ts), then writes results.json, REPORT.md and its PNG
 * figures into one folder, all rendered from the same results object. Every number in the report
 * comes from that one run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { measureShapes, MeasureOptions } from './measure';
import { writeFigures } from './report-figures';
import { renderReport } from './report-markdown';
import { ShapesBuild } from './build';
import { headline, Headline, ShapesResults } from './results';

export interface ReportOptions extends MeasureOptions {
  out: string;
}

/** results.json, REPORT.md and the figures in `dir`; returns REPORT.md's path. */
export async function writeReport(r: ShapesResults, dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r, null, 1) + '\n');
  await writeFigures(r, dir);
  const file = path.join(dir, 'REPORT.md');
  fs.writeFileSync(file, renderReport(r));
  return file;
}

/**
 * The "before" of a new report in `dir`: the headline of the report there, or, when that one had
 * the same recipe (a rerun), the before it carried.
 */
export function beforeOf(dir: string, recipe: ShapesBuild): Headline | null {
  const file = path.join(dir, 'results.json');
  if (!fs.existsSync(file)) return null;
  const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as ShapesResults;
  return JSON.stringify(prev.run.recipe) === JSON.stringify(recipe) ? (prev.before ?? null) : headline(prev);
}

export async function shapesReport(o: ReportOptions): Promise<string> {
  const before = beforeOf(o.out, o.recipe);
  return writeReport({ ...(await measureShapes(o)), before }, o.out);
}
