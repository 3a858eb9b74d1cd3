/**
 * A ShapesWorld scene's facts as 0/1 attributes for the mini-CLIP's image-side objective: which
 * shapes and colours it has, which colour–shape pairs (the binding the captions state), and how
 * many objects. The scene is the renderer's own ground truth, so the labels are exact.
 */
import { COLOUR_NAMES, MAX_OBJECTS, Scene, SHAPES } from './scene';

/** Attributes per scene: shapes, colours, colour–shape pairs, object counts 1..MAX_OBJECTS. */
export const SCENE_ATTRIBUTES = SHAPES.length + COLOUR_NAMES.length + COLOUR_NAMES.length * SHAPES.length + MAX_OBJECTS;

export function sceneAttributes(scene: Scene): number[] {
  const n = scene.objects.length;
  if (n < 1 || n > MAX_OBJECTS) throw new Error(`ShapesWorld attributes: a scene of ${n} objects (1-${MAX_OBJECTS} are drawn)`);
  const out = new Array<number>(SCENE_ATTRIBUTES).fill(0);
  const pairs = SHAPES.length + COLOUR_NAMES.length;
  for (const ob of scene.objects) {
    const s = SHAPES.indexOf(ob.shape);
    const c = COLOUR_NAMES.indexOf(ob.colour);
    out[s] = 1;
    out[SHAPES.length + c] = 1;
    out[pairs + c * SHAPES.length + s] = 1;
  }
  out[pairs + COLOUR_NAMES.length * SHAPES.length + n - 1] = 1;
  return out;
}
