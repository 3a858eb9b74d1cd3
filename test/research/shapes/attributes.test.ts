/** A ShapesWorld scene's facts as the 0/1 labels of the mini-CLIP's image-side objective. */
import { captionAttributes, SCENE_ATTRIBUTES, sceneAttributes, STATED_ATTRIBUTES } from '../../../research/shapes/attributes';
import { COLOUR_NAMES, Scene, SHAPES } from '../../../research/shapes/scene';

const object = (shape: Scene['objects'][number]['shape'], colour: Scene['objects'][number]['colour']) => ({ shape, colour, size: 'small' as const, x: 0.5, y: 0.5 });
const scene = (objects: Scene['objects']): Scene => ({ background: { colour: 'white', texture: 'plain' }, objects });

test('shapes, colours, colour–shape pairs and the count are set, nothing else', () => {
  const got = sceneAttributes(scene([object('star', 'red'), object('circle', 'blue'), object('star', 'blue')]));
  expect(got).toHaveLength(SCENE_ATTRIBUTES);
  const on = got.flatMap((x, i) => (x ? [i] : []));
  const pairs = SHAPES.length + COLOUR_NAMES.length;
  const pair = (c: string, s: string) => pairs + COLOUR_NAMES.indexOf(c as never) * SHAPES.length + SHAPES.indexOf(s as never);
  const want = [
    SHAPES.indexOf('star'),
    SHAPES.indexOf('circle'),
    SHAPES.length + COLOUR_NAMES.indexOf('red'),
    SHAPES.length + COLOUR_NAMES.indexOf('blue'),
    pair('red', 'star'),
    pair('blue', 'circle'),
    pair('blue', 'star'),
    pairs + COLOUR_NAMES.length * SHAPES.length + 2,
  ];
  expect(on).toEqual(want.sort((a, b) => a - b));
});

test('a swapped binding changes the labels; a scene with no objects or too many is refused', () => {
  const a = sceneAttributes(scene([object('star', 'red'), object('circle', 'blue')]));
  const b = sceneAttributes(scene([object('star', 'blue'), object('circle', 'red')]));
  expect(a.slice(0, SHAPES.length + COLOUR_NAMES.length)).toEqual(b.slice(0, SHAPES.length + COLOUR_NAMES.length));
  expect(a).not.toEqual(b);
  expect(() => sceneAttributes(scene([]))).toThrow('a scene of 0 objects');
  expect(() => sceneAttributes(scene(Array.from({ length: 5 }, () => object('heart', 'pink'))))).toThrow('a scene of 5 objects (1-4 are drawn)');
});

test("a caption's facts are the shapes, colours and pairs it states, in the scene's places; a swapped binding differs, a count, a background and a zero add nothing", () => {
  const names = [...SHAPES, ...COLOUR_NAMES, ...COLOUR_NAMES.flatMap((c) => SHAPES.map((s) => `${c} ${s}`))];
  const facts = (c: string) => captionAttributes(c).flatMap((x, i) => (x ? [names[i]] : []));
  expect(captionAttributes('a red star.')).toHaveLength(STATED_ATTRIBUTES);
  expect(facts('two big red stars and a blue plus sign on a striped green background.').sort()).toEqual(['blue', 'blue cross', 'cross', 'red', 'red star', 'star']);
  expect(facts('a blue star and a red plus sign.')).not.toEqual(facts('a red star and a blue plus sign.'));
  // The scene's labels of the same facts sit in the same places.
  const scene1 = sceneAttributes(scene([object('star', 'red'), object('cross', 'blue')]));
  expect(captionAttributes('a red star and a blue cross.')).toEqual(scene1.slice(0, STATED_ATTRIBUTES));
  expect(facts('a picture of four objects against a dotted white background.')).toEqual([]);
  expect(facts('zero red circles and a black star.')).toEqual(['star']);
});
