/** The zero-shot probe: one-object scenes only, each attribute judged with the other given, ties to the earlier prompt. */
import { ShapesItem } from '../../../research/shapes/data';
import { ZERO_SHOT_PROMPTS, zeroShot } from '../../../research/shapes/zero-shot';
import { Scene, SceneObject, SHAPES } from '../../../research/shapes/scene';

const dim = ZERO_SHOT_PROMPTS.length;
// Prompt embeddings one-hot: an image embedding equal to a prompt's is nearest that prompt alone.
const prompts = Float32Array.from({ length: dim * dim }, (_, i) => (i % (dim + 1) === 0 ? 1 : 0));
const obj = (colour: SceneObject['colour'], shape: SceneObject['shape']): SceneObject => ({ colour, shape, size: 'small', x: 0.5, y: 0.5 });
const item = (objects: SceneObject[]): ShapesItem => ({ image: 'x.png', captions: [], scene: { background: { colour: 'white', texture: 'plain' }, objects } as Scene });
/** An image embedding near the given prompts, with these weights (0.01 toward every other). */
const image = (...near: [number, number][]) => Array.from({ length: dim }, (_, j) => near.find(([p]) => p === j)?.[1] ?? 0.01);
const at = (colour: number, shape: number) => colour * SHAPES.length + shape;

test('prompts name every colour with every shape, colour-major', () => {
  expect(ZERO_SHOT_PROMPTS).toHaveLength(8 * 6);
  expect(ZERO_SHOT_PROMPTS.slice(0, 2)).toEqual(['a red circle.', 'a red square.']);
  expect(ZERO_SHOT_PROMPTS[at(2, 4)]).toBe('a blue heart.');
  // The article the captions write.
  expect(ZERO_SHOT_PROMPTS[at(4, 3)]).toBe('an orange star.');
});

test('each attribute is right when the image is nearest its true prompt, wrong when nearest another, and scenes of several objects are skipped', () => {
  const items = [
    item([obj('red', 'circle'), obj('blue', 'star')]), // two objects: not probed (and its row is skipped, not the next scene's)
    item([obj('red', 'circle')]), // nearest its own prompt: both right
    item([obj('blue', 'heart')]), // nearer "a blue star" than "a blue heart": shape wrong; of the hearts, the blue one: colour right
    item([obj('green', 'square')]), // nearer "a pink square" than "a green square": colour wrong; of the green shapes, the square: shape right
  ];
  const images = Float32Array.from([...image([at(2, 3), 1]), ...image([at(0, 0), 1]), ...image([at(2, 3), 1], [at(2, 4), 0.5]), ...image([at(6, 1), 1], [at(1, 1), 0.5])]);
  expect(zeroShot(items, images, prompts, dim)).toEqual({ scenes: 3, shape: 2 / 3, colour: 2 / 3 });
});

test('an image equally near every prompt gets the first candidate: right only where that is the truth', () => {
  const flat = Float32Array.from([...image(), ...image()]);
  // Red circle: first among the red shapes and among the circles. Blue heart: a blue circle and a red heart.
  expect(zeroShot([item([obj('red', 'circle')]), item([obj('blue', 'heart')])], flat, prompts, dim)).toEqual({ scenes: 2, shape: 1 / 2, colour: 1 / 2 });
});

test('a set without one-object scenes has no accuracy rather than a made-up one', () => {
  const r = zeroShot([item([obj('red', 'circle'), obj('red', 'star')])], Float32Array.from(image([0, 1])), prompts, dim);
  expect(r.scenes).toBe(0);
  expect(Number.isNaN(r.shape) && Number.isNaN(r.colour)).toBe(true);
});
