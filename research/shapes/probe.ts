/**
 * Linear probes: what one CLIP tower's embeddings hold of a scene, whatever the other tower does.
 * Zero-shot needs the two towers to agree; a probe asks each alone, so it says whether shape is
 * lost in the image tower, in the text tower, or in both. Per fact (a shape present, a colour
 * present) a logistic regression is fitted on the training pairs' embeddings and scored by AUROC
 * on another split; the text side embeds a caption naming every object of the scene, so what it
 * misses the text tower dropped, not the caption.
 */
import { Rows } from '../eval/harness';
import { aurocOf, fitLogistic, predictLogistic } from '../trust/logistic';
import { Rng } from '../../worker/train/rng';
import { wholeSceneCaptions } from './captions';
import { STREAM } from './generate';
import { COLOUR_NAMES, Scene, SHAPES } from './scene';

/** Mean AUROC over the shapes and over the colours that occur in both splits (NaN where none does). */
export interface ProbeScores {
  shape: number;
  colour: number;
}

export interface Probed {
  image: ProbeScores;
  caption: ProbeScores;
}

/** One caption per scene that names every object with its colour (the first of wholeSceneCaptions), from the seed's stream. */
export function namingCaptions(scenes: Scene[], seed: number, part: number): string[] {
  return scenes.map((s, i) => wholeSceneCaptions(s, new Rng(seed, STREAM.wholeScene, part, i))[0]);
}

const unitRows = (x: Rows, dim: number): number[][] =>
  Array.from({ length: x.length / dim }, (_, i) => {
    const r = Array.from(x.subarray(i * dim, (i + 1) * dim));
    const n = Math.hypot(...r) || 1;
    return r.map((v) => v / n);
  });

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Probes fitted on `train` rows (unit-normalised) and scored on `test`, row i describing scene i of each. */
export function probeScenes(train: { scenes: Scene[]; rows: Rows }, test: { scenes: Scene[]; rows: Rows }, dim: number): ProbeScores {
  const xTrain = unitRows(train.rows, dim);
  const xTest = unitRows(test.rows, dim);
  const score = (has: (s: Scene) => boolean): number[] => {
    const y = train.scenes.map((s) => (has(s) ? 1 : 0));
    const truth = test.scenes.map(has);
    if (new Set(y).size < 2 || new Set(truth).size < 2) return [];
    const fit = fitLogistic(xTrain, y, { l2: 1e-3 });
    const p = xTest.map((r) => predictLogistic(fit, r));
    return [
      aurocOf(
        p.filter((_, i) => truth[i]),
        p.filter((_, i) => !truth[i]),
      ),
    ];
  };
  return {
    shape: mean(SHAPES.flatMap((k) => score((s) => s.objects.some((o) => o.shape === k)))),
    colour: mean(COLOUR_NAMES.flatMap((c) => score((s) => s.objects.some((o) => o.colour === c)))),
  };
}
