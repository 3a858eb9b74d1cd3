/**
 * Hard negatives: each false caption differs from a true caption of its scene by one edit, and that
 * edit makes it false (the checker finds a wrong claim, or the background it names is not the
 * scene's); every kind of edit occurs; the draws are the seed's.
 */
import { Rng } from '../../../worker/train/rng';
import { captionsFor } from '../../../research/shapes/captions';
import { ATTRIBUTES, captionErrors } from '../../../research/shapes/errors';
import { falseCaption, withHardNegatives } from '../../../research/shapes/hard-negatives';
import { Scene, sampleScene } from '../../../research/shapes/scene';

const scenes = Array.from({ length: 150 }, (_, i) => sampleScene(new Rng(41, i)));
const items = scenes.map((scene, i) => ({ image: `${i}.png`, scene, captions: captionsFor(scene, new Rng(42, i)) }));

const words = (s: string) => s.replace(/[.,]/g, '').split(' ');
/** The words at which two captions differ (captions of equal word count only). */
const changed = (a: string, b: string) =>
  words(a)
    .map((w, i) => [w, words(b)[i]])
    .filter(([x, y]) => x !== y);
const checkedFalse = (caption: string, scene: Scene) => ATTRIBUTES.some((a) => captionErrors(caption, scene)[a].wrong > 0);
const BACKGROUND_WORDS = new Set(['white', 'grey', 'gray', 'black', 'beige', 'plain', 'striped', 'dotted', 'spotted', 'gradient', 'shaded']);

test('every false caption is one edit from a true one and is false', () => {
  const kinds = new Set<string>();
  for (const it of items)
    for (const c of it.captions) {
      const f = falseCaption(c, it.scene, new Rng(43, it.captions.indexOf(c)));
      if (!f) continue;
      expect(f).not.toBe(c);
      const diff = words(f).length === words(c).length ? changed(c, f) : null;
      const background = !!diff && diff.length === 1 && BACKGROUND_WORDS.has(diff[0][0]) && !checkedFalse(f, it.scene);
      if (background) {
        kinds.add('background');
        continue;
      }
      expect(checkedFalse(f, it.scene)).toBe(true);
      // A swap changes two words into each other; any other edit one word ("plus sign" may be two).
      if (diff?.length === 2 && diff[0][0] === diff[1][1] && diff[0][1] === diff[1][0]) kinds.add('swap');
      else if (diff && diff.length === 1) kinds.add(/^(one|two|three|four)$/.test(diff[0][0]) ? 'count' : 'replace');
      else expect(f.replace(/plus signs?/, 'X')).not.toBe(c.replace(/plus signs?/, 'X'));
    }
  expect([...kinds].sort()).toEqual(['background', 'count', 'replace', 'swap']);
});

test('a caption that only names the background gets a background edit, which is false by construction', () => {
  const scene: Scene = { background: { colour: 'grey', texture: 'dots' }, objects: [{ shape: 'star', colour: 'red', size: 'large', x: 0.5, y: 0.5 }] };
  const f = falseCaption('a single shape on a dotted grey background.', scene, new Rng(1))!;
  const diff = changed('a single shape on a dotted grey background.', f);
  expect(diff).toHaveLength(1);
  expect(diff[0][0]).toMatch(/^(dotted|grey)$/);
  expect(BACKGROUND_WORDS.has(diff[0][1])).toBe(true);
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
