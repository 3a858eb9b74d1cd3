/**
 * Hard negatives: each false caption differs from a true caption of its scene by one edit, and that
 * edit makes it false (the checker finds a wrong claim, or the background it names is not the
 * scene's); every kind of edit occurs; the draws are the seed's.
 */
import { Rng } from '../../../worker/train/rng';
import { captionsFor, SHAPE_WORDS, TEXTURE_WORDS } from '../../../research/shapes/captions';
import { isFalse } from '../../../research/shapes/errors';
import { falseCaption, withHardNegatives } from '../../../research/shapes/hard-negatives';
import { BACKGROUNDS, COLOURS, Scene, sampleScene } from '../../../research/shapes/scene';

const scenes = Array.from({ length: 150 }, (_, i) => sampleScene(new Rng(41, i)));
const items = scenes.map((scene, i) => ({ image: `${i}.png`, scene, captions: captionsFor(scene, new Rng(42, i)) }));

const words = (s: string) => s.replace(/[.,]/g, '').split(' ');
/** The words at which two captions of equal length differ. */
const changed = (a: string, b: string) =>
  words(a)
    .map((w, i) => [w, words(b)[i]])
    .filter(([x, y]) => x !== y);
// Background words, each mapped to what it says (grey and gray say the same).
const BACKGROUND_MEANING = new Map<string, string>([
  ...Object.keys(BACKGROUNDS).map((c) => [c, c] as [string, string]),
  ['gray', 'grey'],
  ...Object.entries(TEXTURE_WORDS).flatMap(([t, ws]) => ws.map((w) => [w, t] as [string, string])),
]);
const OBJECT_COLOURS = new Set(Object.keys(COLOURS));
const SHAPE_FORMS = new Set(Object.values(SHAPE_WORDS).flat(2));

test('every false caption is one edit from a true one, false of its scene, with its articles right', () => {
  const kinds = new Set<string>();
  for (const it of items)
    it.captions.forEach((c, j) => {
      const f = falseCaption(c, it.scene, new Rng(43, j));
      if (!f) return;
      // "an red" or "a orange" would give a negative away without looking at the image.
      expect([f, /\ba [aeiou]|\ban [^aeiou]/.test(f)]).toEqual([f, false]);
      const diff = changed(c, f).filter(([x, y]) => !(/^an?$/.test(x) && /^an?$/.test(y)));
      const background = diff.length === 1 && BACKGROUND_MEANING.has(diff[0][0]);
      if (background) {
        // False by construction: the one background is said to be another.
        expect(BACKGROUND_MEANING.get(diff[0][1])).toBeDefined();
        expect(BACKGROUND_MEANING.get(diff[0][1])).not.toBe(BACKGROUND_MEANING.get(diff[0][0]));
        kinds.add('background');
        return;
      }
      expect([f, isFalse(f, it.scene)]).toEqual([f, true]);
      if (diff.length === 2 && diff[0][0] === diff[1][1] && diff[0][1] === diff[1][0]) kinds.add('swap');
      else if (diff.length === 1 && /^(two|three|four)$/.test(diff[0][0])) kinds.add('count');
      else if (diff.length === 1 && OBJECT_COLOURS.has(diff[0][0]) && OBJECT_COLOURS.has(diff[0][1])) kinds.add('colour');
      else if (SHAPE_FORMS.has(diff.map((d) => d[0]).join(' ')) || diff.some(([x]) => SHAPE_FORMS.has(x) || x === 'plus' || x === 'signs' || x === 'sign')) kinds.add('shape');
      else throw new Error(`not one edit: "${c}" -> "${f}"`);
    });
  expect([...kinds].sort()).toEqual(['background', 'colour', 'count', 'shape', 'swap']);
});

test('a caption that only names the background gets a background edit, which is false by construction', () => {
  const scene: Scene = { background: { colour: 'grey', texture: 'dots' }, objects: [{ shape: 'star', colour: 'red', size: 'large', x: 0.5, y: 0.5 }] };
  const f = falseCaption('a single shape on a dotted grey background.', scene, new Rng(1))!;
  const diff = changed('a single shape on a dotted grey background.', f);
  expect(diff).toHaveLength(1);
  expect(diff[0][0]).toMatch(/^(dotted|grey)$/);
  expect(BACKGROUND_MEANING.has(diff[0][1])).toBe(true);
  expect(diff[0][1]).not.toMatch(diff[0][0] === 'grey' ? /^(grey|gray)$/ : /^(dotted|spotted)$/);
});

test('withHardNegatives gives one negative per caption, seeded', () => {
  const a = withHardNegatives(items, 3);
  const b = withHardNegatives(items, 3);
  const c = withHardNegatives(items, 4);
  expect(a).toEqual(b);
  expect(a).not.toEqual(c);
  a.forEach((p, i) => {
    expect(p.image).toBe(items[i].image);
    expect(p.negatives).toHaveLength(p.captions.length);
    p.negatives!.forEach((n, j) => expect(n).not.toBe(p.captions[j]));
  });
});
