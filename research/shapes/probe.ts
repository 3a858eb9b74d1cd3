/**
 * Linear probes: what one CLIP tower's embeddings hold of a scene, whatever the other tower does.
 * Zero-shot needs the two towers to agree; a probe asks each alone, so it says whether shape is
 * lost in the image tower, in the text tower, or in both. Per fact (a shape present, a colour
 * present) a logistic regression is fitted on the training pairs' embeddings and scored by AUROC
 * on another split; the text side embeds a caption naming every object of the scene, so what it
 * misses the text tower dropped, not the caption. Binding (which colour goes with which shape) is
 * probed on two-object scenes of two colours and two shapes: there a red circle with a blue square
 * and a blue circle with a red square hold the same colours and shapes, so a bag of them scores 0.5.
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
  /** One AUROC pooled over the colour–shape pairs, each probed on the two-object scenes that hold its colour and its shape, in one object or apart. */
  binding: number;
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

/** Two objects that differ in colour and in shape: scenes whose bag of colours and shapes says nothing of their binding. */
const twoApart = (s: Scene) => s.objects.length === 2 && s.objects[0].colour !== s.objects[1].colour && s.objects[0].shape !== s.objects[1].shape;

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Probes fitted on `train` rows (unit-normalised) and scored on `test`, row i describing scene i of each. */
export function probeScenes(train: { scenes: Scene[]; rows: Rows }, test: { scenes: Scene[]; rows: Rows }, dim: number): ProbeScores {
  const xTrain = unitRows(train.rows, dim);
  const xTest = unitRows(test.rows, dim);
  /** A probe of `has` fitted on the training rows `among` keeps, its predictions on the test rows it keeps, split by the truth. */
  const predict = (has: (s: Scene) => boolean, among: (s: Scene) => boolean = () => true): { pos: number[]; neg: number[] } | null => {
    const tr = train.scenes.flatMap((s, i) => (among(s) ? [i] : []));
    const te = test.scenes.flatMap((s, i) => (among(s) ? [i] : []));
    const y = tr.map((i) => (has(train.scenes[i]) ? 1 : 0));
    const truth = te.map((i) => has(test.scenes[i]));
    if (new Set(y).size < 2 || new Set(truth).size < 2) return null;
    const fit = fitLogistic(
      tr.map((i) => xTrain[i]),
      y,
      { l2: 1e-3 },
    );
    const p = te.map((i) => predictLogistic(fit, xTest[i]));
    return { pos: p.filter((_, j) => truth[j]), neg: p.filter((_, j) => !truth[j]) };
  };
  const score = (has: (s: Scene) => boolean): number[] => {
    const p = predict(has);
    return p ? [aurocOf(p.pos, p.neg)] : [];
  };
  const pairs = COLOUR_NAMES.flatMap((c) =>
    SHAPES.map((k) =>
      predict(
        (s) => s.objects.some((o) => o.colour === c && o.shape === k),
        (s) => twoApart(s) && s.objects.some((o) => o.colour === c) && s.objects.some((o) => o.shape === k),
      ),
    ),
  ).filter((p) => p !== null);
  return {
    shape: mean(SHAPES.flatMap((k) => score((s) => s.objects.some((o) => o.shape === k)))),
    colour: mean(COLOUR_NAMES.flatMap((c) => score((s) => s.objects.some((o) => o.colour === c)))),
    binding: pairs.length
      ? aurocOf(
          pairs.flatMap((p) => p.pos),
          pairs.flatMap((p) => p.neg),
        )
      : NaN,
  };
}
