/** Line, bar and scatter charts drawn for the trust report's out-of-domain images (research/report/plot.ts, seeded). */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { Rng } from '../../worker/train/rng';
import { barChart, lineChart, scatterPlot } from '../report/plot';

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
