/**
 * Linear probes: an embedding that holds which shapes a scene has scores an AUROC near 1 on
 * shapes and near 0.5 on the colours it does not hold; the naming captions name every object.
 */
import { captionErrors } from '../../../research/shapes/errors';
import { namingCaptions, probeScenes } from '../../../research/shapes/probe';
import { SHAPE_WORDS } from '../../../research/shapes/captions';
import { COLOUR_NAMES, sampleScene, Scene, SHAPES } from '../../../research/shapes/scene';
import { Rng } from '../../../worker/train/rng';

const scenes = (n: number, seed: number) => Array.from({ length: n }, (_, i) => sampleScene(new Rng(seed, i)));
const dim = SHAPES.length + 4;
/** Rows that hold the shapes present (one dimension each) and noise; nothing of colour. */
function shapeRows(ss: Scene[], seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from(ss.flatMap((s) => [...SHAPES.map((k) => (s.objects.some((o) => o.shape === k) ? 1 : 0) + 0.3 * rng.normal()), ...Array.from({ length: 4 }, () => rng.normal())]));
}

test('a probe finds what the rows hold (shapes) and not what they lack (colours)', () => {
  const train = scenes(600, 1);
  const test = scenes(200, 2);
  const p = probeScenes({ scenes: train, rows: shapeRows(train, 3) }, { scenes: test, rows: shapeRows(test, 4) }, dim);
  expect(p.shape).toBeGreaterThan(0.95);
  expect(Math.abs(p.colour - 0.5)).toBeLessThan(0.08);
});

test('binding: rows holding the colour and the shape of each object apart score 0.5, rows holding each colour–shape pair near 1', () => {
  const train = scenes(4000, 6);
  const test = scenes(1500, 7);
  const pairs = COLOUR_NAMES.flatMap((c) => SHAPES.map((k) => [c, k] as const));
  const rng = new Rng(8);
  const noise = () => 0.2 * rng.normal();
  // A bag of words: which colours and which shapes occur, not which goes with which.
  const bag = (ss: Scene[]) =>
    Float32Array.from(ss.flatMap((s) => [...COLOUR_NAMES.map((c) => +s.objects.some((o) => o.colour === c) + noise()), ...SHAPES.map((k) => +s.objects.some((o) => o.shape === k) + noise())]));
  const bound = (ss: Scene[]) => Float32Array.from(ss.flatMap((s) => pairs.map(([c, k]) => +s.objects.some((o) => o.colour === c && o.shape === k) + noise())));
  const loose = probeScenes({ scenes: train, rows: bag(train) }, { scenes: test, rows: bag(test) }, COLOUR_NAMES.length + SHAPES.length);
  const tight = probeScenes({ scenes: train, rows: bound(train) }, { scenes: test, rows: bound(test) }, pairs.length);
  expect(loose.colour).toBeGreaterThan(0.95);
  expect(loose.shape).toBeGreaterThan(0.95);
  expect(Math.abs(loose.binding - 0.5)).toBeLessThan(0.05);
  expect(tight.binding).toBeGreaterThan(0.95);
});

test('a fact absent from a split is skipped; none at all gives NaN', () => {
  const one = (shape: (typeof SHAPES)[number]): Scene => ({ background: { colour: 'white', texture: 'plain' }, objects: [{ shape, colour: 'red', size: 'small', x: 0.5, y: 0.5 }] });
  const train = [one('circle'), one('star'), one('circle'), one('star')];
  const rows = Float32Array.from(train.flatMap((s) => (s.objects[0].shape === 'circle' ? [1, 0] : [0, 1])));
  const p = probeScenes({ scenes: train, rows }, { scenes: train, rows }, 2);
  // Only circle and star vary in both splits: both probes are perfect; every scene is red, so no colour varies.
  expect(p.shape).toBe(1);
  expect(p.colour).toBeNaN();
  // One object a scene: no scene holds a colour and a shape apart, so binding is not probed.
  expect(p.binding).toBeNaN();
});

test('the naming captions name every object of their scene, truly, and differ by part', () => {
  const ss = scenes(50, 5);
  const captions = namingCaptions(ss, 0, 0);
  captions.forEach((c, i) => {
    const e = captionErrors(c, ss[i]);
    expect([c, Object.values(e).every((t) => t.wrong === 0)]).toEqual([c, true]);
    for (const o of ss[i].objects) {
      expect(c).toContain(o.colour);
      expect([c, SHAPE_WORDS[o.shape].flat().some((w) => c.includes(w))]).toEqual([c, true]);
    }
  });
  expect(namingCaptions(ss, 0, 1)).not.toEqual(captions);
});
