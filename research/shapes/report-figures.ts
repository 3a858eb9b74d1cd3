/** The ShapesWorld report's figures (SVG, written as PNG) from a results object; no measurement happens here. */
import * as path from 'path';
import { barChart, lineChart, scatterPlot, writePng } from '../report/plot';
import { ATTRIBUTES } from './errors';
import { ABLATION, ERROR_NAMES, ERROR_ROWS, METHODS, ShapesResults } from './results';

const ABLATION_LABELS: Record<(typeof ABLATION)[number], string> = { plain: 'plain', bridging: '+bridging', diffusionBridge: '+bridging +aug', augmentOnly: 'aug, M = 0' };
const METHOD_LABELS: Record<(typeof METHODS)[number], string> = { capdec: 'CapDec', c3: 'C3', decap: 'DeCap', diffusionBridge: 'Diff. Bridge', oracle: 'oracle' };
const pc = (i: number, explained: [number, number]) => `PC${i + 1} (${(100 * explained[i]).toFixed(0)}%)`;

/** Each figure's file name (as REPORT.md links it) and SVG. */
export function reportFigures(r: ShapesResults): { file: string; svg: string }[] {
  const { diffusion, clip } = r.projections;
  const ms = r.sweepM.map((x) => x.m);
  return [
    {
      file: 'pca-diffusion-space.png',
      svg: scatterPlot({ title: 'Diffusion space (eq. 6), PCA of the union', xLabel: pc(0, diffusion.explained), yLabel: pc(1, diffusion.explained), groups: diffusion.groups }),
    },
    { file: 'pca-clip-space.png', svg: scatterPlot({ title: 'Raw CLIP space (normalised), PCA: the modality gap', xLabel: 'PC1', yLabel: 'PC2', groups: clip.groups }) },
    {
      file: 'ablation.png',
      svg: barChart({
        title: 'Ablation (held-out, CIDEr-D ×100)',
        yLabel: 'CIDEr-D',
        groups: ABLATION.map((k) => ABLATION_LABELS[k]),
        series: [{ name: 'CIDEr-D', values: ABLATION.map((k) => 100 * r.ablation[k].scores.ciderD) }],
      }),
    },
    {
      file: 'baselines.png',
      svg: barChart({
        title: 'Methods on the same images (held-out)',
        yLabel: 'score',
        groups: METHODS.map((k) => METHOD_LABELS[k]),
        series: [
          { name: 'CIDEr-D ×100', values: METHODS.map((k) => 100 * r.methods[k].scores.ciderD) },
          { name: 'BLEU-4 ×100', values: METHODS.map((k) => 100 * r.methods[k].scores.bleu4) },
        ],
      }),
    },
    {
      file: 'm-sweep.png',
      svg: lineChart({
        title: `Bridging depth M (S = ${r.bundle.s})`,
        xLabel: 'M',
        yLabel: 'CIDEr-D ×100',
        xTicks: ms,
        series: [
          { name: 'held-out', points: r.sweepM.map((x) => [x.m, 100 * x.test.ciderD]) },
          { name: 'validation', points: r.sweepM.map((x) => [x.m, 100 * x.val.ciderD]) },
        ],
      }),
    },
    {
      file: 'm-sweep-cosine.png',
      svg: lineChart({
        title: 'Cosines against M',
        xLabel: 'M',
        yLabel: 'mean cosine',
        xTicks: ms,
        series: [
          { name: 'bridged image vs its captions', points: r.sweepM.map((x) => [x.m, x.cosText]) },
          { name: 'bridged caption vs itself', points: r.sweepM.map((x) => [x.m, x.textKept]) },
        ],
      }),
    },
    {
      file: 's-sweep.png',
      svg: lineChart({
        title: `DDIM steps S (M = ${r.bundle.m})`,
        xLabel: 'S',
        yLabel: 'CIDEr-D ×100',
        xTicks: r.sweepS.map((x) => x.s),
        series: [{ name: 'held-out', points: r.sweepS.map((x) => [x.s, 100 * x.scores.ciderD]) }],
      }),
    },
    {
      file: 'errors.png',
      svg: barChart({
        title: 'Wrong claims by attribute (held-out)',
        yLabel: '% of claims wrong',
        groups: [...ATTRIBUTES],
        // The references row checks the checker (always 0): left out of the picture.
        series: ERROR_ROWS.filter((k) => k !== 'references').map((k) => ({ name: ERROR_NAMES[k], values: ATTRIBUTES.map((a) => 100 * r.errors[k][a].rate) })),
      }),
    },
  ];
}

export async function writeFigures(r: ShapesResults, dir: string): Promise<string[]> {
  const figures = reportFigures(r);
  for (const f of figures) await writePng(f.svg, path.join(dir, f.file));
  return figures.map((f) => path.join(dir, f.file));
}
