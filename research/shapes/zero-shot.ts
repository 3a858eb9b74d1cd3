/**
 * Whether a ShapesWorld CLIP sees shapes and colours at all: zero-shot classification of the
 * one-object scenes of a set. Each image is compared with "a {colour} {shape}." for every shape
 * (its own colour given) and for every colour (its own shape given); a tower that encodes the
 * attribute picks the true caption, one that does not is at chance (1/6 shapes, 1/8 colours). The
 * decoder can state no more than the embedding holds, so this says where a shape error starts.
 */
import { cosine, Rows } from '../eval/harness';
import { SHAPE_WORDS, withArticle } from './captions';
import { ShapesItem } from './data';
import { COLOUR_NAMES, SHAPES } from './scene';

/** The prompts, colour-major: prompt (c, s) at c·|SHAPES| + s, with the article the captions use ("an orange star."). */
export const ZERO_SHOT_PROMPTS = COLOUR_NAMES.flatMap((c) => SHAPES.map((s) => `${withArticle(`${c} ${SHAPE_WORDS[s][0][0]}`)}.`));

export interface ZeroShot {
  /** One-object scenes in the set. */
  scenes: number;
  shape: number;
  colour: number;
}

/**
 * Accuracies over the one-object scenes among `items`, with `images` their image embeddings (row i
 * for items[i]) and `prompts` the embeddings of ZERO_SHOT_PROMPTS; a tie goes to the earlier prompt.
 * NaN when there is no such scene.
 */
export function zeroShot(items: ShapesItem[], images: Rows, prompts: Rows, dim: number): ZeroShot {
  let scenes = 0;
  let shape = 0;
  let colour = 0;
  items.forEach((it, i) => {
    if (it.scene.objects.length !== 1) return;
    scenes++;
    const c = COLOUR_NAMES.indexOf(it.scene.objects[0].colour);
    const s = SHAPES.indexOf(it.scene.objects[0].shape);
    const near = ZERO_SHOT_PROMPTS.map((_, r) => cosine(images, i, prompts, r, dim));
    const best = (rows: number[]) => rows.reduce((a, r) => (near[r] > near[a] ? r : a));
    if (best(SHAPES.map((_, k) => c * SHAPES.length + k)) === c * SHAPES.length + s) shape++;
    if (best(COLOUR_NAMES.map((_, k) => k * SHAPES.length + s)) === c * SHAPES.length + s) colour++;
  });
  return { scenes, shape: scenes ? shape / scenes : NaN, colour: scenes ? colour / scenes : NaN };
}
