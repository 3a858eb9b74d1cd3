/**
 * A ShapesWorld scene's facts as 0/1 attributes for the mini-CLIP's image-side objective: which
 * shapes and colours it has, which colour–shape pairs (the binding the captions state), and how
 * many objects. The scene is the renderer's own ground truth, so the labels are exact. A caption's
 * facts take the same places, less the count: what it states of shapes, colours and pairs.
 */
import { statedFacts } from './errors';
import { COLOUR_NAMES, MAX_OBJECTS, Scene, SHAPES } from './scene';

/** Attributes a caption states: shapes, colours, colour–shape pairs (a scene's first ones). */
export const STATED_ATTRIBUTES = SHAPES.length + COLOUR_NAMES.length + COLOUR_NAMES.length * SHAPES.length;
/** Attributes per scene: the stated ones, then object counts 1..MAX_OBJECTS. */
export const SCENE_ATTRIBUTES = STATED_ATTRIBUTES + MAX_OBJECTS;

/** Where a shape, a colour and a colour–shape pair sit among the attributes. */
const place = {
  shape: (s: number) => s,
  colour: (c: number) => SHAPES.length + c,
  pair: (c: number, s: number) => SHAPES.length + COLOUR_NAMES.length + c * SHAPES.length + s,
};

export function sceneAttributes(scene: Scene): number[] {
  const n = scene.objects.length;
  if (n < 1 || n > MAX_OBJECTS) throw new Error(`ShapesWorld attributes: a scene of ${n} objects (1-${MAX_OBJECTS} are drawn)`);
  const out = new Array<number>(SCENE_ATTRIBUTES).fill(0);
  for (const ob of scene.objects) {
    const s = SHAPES.indexOf(ob.shape);
    const c = COLOUR_NAMES.indexOf(ob.colour);
    out[place.shape(s)] = out[place.colour(c)] = out[place.pair(c, s)] = 1;
  }
  out[STATED_ATTRIBUTES + n - 1] = 1;
  return out;
}

/** What a caption states, as 0/1 attributes; a background colour said of an object has no place (no object has it). */
export function captionAttributes(caption: string): number[] {
  const out = new Array<number>(STATED_ATTRIBUTES).fill(0);
  const f = statedFacts(caption);
  const colour = (c: string) => COLOUR_NAMES.indexOf(c as (typeof COLOUR_NAMES)[number]);
  for (const s of f.shapes) out[place.shape(SHAPES.indexOf(s))] = 1;
  for (const c of f.colours) if (colour(c) >= 0) out[place.colour(colour(c))] = 1;
  for (const p of f.pairs) if (colour(p.colour) >= 0) out[place.pair(colour(p.colour), SHAPES.indexOf(p.shape))] = 1;
  return out;
}
