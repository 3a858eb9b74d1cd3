/**
 * Caption error analysis: the grammar's own (true) captions have no wrong claims yet plenty of
 * claims of every kind, and each kind of falsehood — colour, shape, count, relation — is caught both
 * in hand-written scenes and when a generated caption is mutated.
 */
import { Rng } from '../../../worker/train/rng';
import { captionsFor } from '../../../research/shapes/captions';
import { Attribute, captionErrors, summariseErrors } from '../../../research/shapes/errors';
import { COLOURS, Colour, SHAPES, Scene, sampleScene } from '../../../research/shapes/scene';

const ATTRIBUTES: Attribute[] = ['colour', 'shape', 'count', 'relation'];
const wrong = (caption: string, scene: Scene) => ATTRIBUTES.map((a) => captionErrors(caption, scene)[a].wrong);
const claims = (caption: string, scene: Scene) => ATTRIBUTES.map((a) => captionErrors(caption, scene)[a].claims);

const generated = Array.from({ length: 200 }, (_, i) => {
  const scene = sampleScene(new Rng(11, i));
  return { scene, captions: captionsFor(scene, new Rng(12, i)) };
});
const items = generated.flatMap(({ scene, captions }) => captions.map((caption) => ({ caption, scene })));

// Red star left of a blue circle; two yellow hearts side by side below them.
const scene: Scene = {
  background: { colour: 'grey', texture: 'stripes' },
  objects: [
    { shape: 'star', colour: 'red', size: 'large', x: 0.2, y: 0.2 },
    { shape: 'circle', colour: 'blue', size: 'small', x: 0.8, y: 0.2 },
    { shape: 'heart', colour: 'yellow', size: 'medium', x: 0.2, y: 0.8 },
    { shape: 'heart', colour: 'yellow', size: 'medium', x: 0.8, y: 0.8 },
  ],
};

describe('caption errors on hand-written scenes', () => {
  test('true statements of every kind have claims and no wrong ones', () => {
    const cases: [string, number[]][] = [
      ['a red star to the left of a small blue disc on a striped grey background.', [2, 2, 0, 1]],
      ['there are two yellow hearts, one red star and a single blue circle.', [3, 3, 3, 0]],
      ['two yellow hearts next to each other against a gray backdrop.', [1, 1, 1, 1]],
      ['a yellow heart beneath a red star', [2, 2, 0, 1]],
      ['four shapes on a dotted black background.', [0, 0, 1, 0]],
      ['zero green crosses.', [0, 0, 1, 0]],
    ];
    for (const [c, n] of cases) {
      expect([c, claims(c, scene), wrong(c, scene)]).toEqual([c, n, [0, 0, 0, 0]]);
    }
  });

  test('a colour is wrong when no object has it; on a shape no object of that colour has, the binding is', () => {
    const both = (c: string) => [captionErrors(c, scene).colour.wrong, captionErrors(c, scene).binding.wrong];
    expect(both('a red circle.')).toEqual([0, 1]);
    expect(both('a red star.')).toEqual([0, 0]);
    expect(both('a green star.')).toEqual([1, 1]);
    expect(both('a black star on a black background.')).toEqual([1, 1]);
    expect(captionErrors('a red circle.', scene).binding.claims).toBe(1);
    expect(wrong('a red circle.', scene)).toEqual([0, 0, 0, 0]);
    expect(claims('a star on a red striped background.', scene)).toEqual([0, 1, 0, 0]);
  });

  test('absent shapes, wrong numbers and false relations are caught', () => {
    expect(wrong('a plus sign.', scene)).toEqual([0, 1, 0, 0]);
    expect(wrong('two red stars.', scene)).toEqual([0, 0, 1, 0]);
    expect(wrong('a single yellow heart.', scene)).toEqual([0, 0, 1, 0]);
    expect(wrong('three shapes.', scene)).toEqual([0, 0, 1, 0]);
    expect(wrong('a red star to the right of a blue circle.', scene)).toEqual([0, 0, 0, 1]);
    expect(wrong('a red star under a yellow heart.', scene)).toEqual([0, 0, 0, 1]);
    expect(wrong('two yellow hearts one above the other.', scene)).toEqual([0, 0, 0, 1]);
    // Either heart may be the one on the left, so both directions hold.
    expect(wrong('a yellow heart right of another yellow heart.', scene)).toEqual([0, 0, 0, 0]);
  });

  test('"a"/"an" claims existence only, not a count', () => {
    expect(claims('a yellow heart.', scene)).toEqual([1, 1, 0, 0]);
    expect(wrong('a yellow heart.', scene)).toEqual([0, 0, 0, 0]);
  });

  test('garbage and empty captions make no claims and do not throw', () => {
    for (const c of [
      '',
      '.',
      '   ',
      '!!! ???',
      'the the the',
      'left of above next to each other',
      'one two three four',
      'constructor tostring hasownproperty __proto__',
      'a striped grey background.',
      'shaped objectively starry',
    ]) {
      expect([c, claims(c, scene)]).toEqual([c, [0, 0, 0, 0]]);
    }
  });
});

describe('caption errors on generated captions', () => {
  test('every reference caption has zero wrong claims, and every attribute gets claims', () => {
    const s = summariseErrors(items);
    for (const a of ATTRIBUTES) {
      expect([a, s[a].wrong, s[a].captionsWrong, s[a].rate]).toEqual([a, 0, 0, 0]);
      expect(s[a].captionsWithClaim).toBeGreaterThan(0);
      expect(s[a].claims).toBeGreaterThanOrEqual(s[a].captionsWithClaim);
    }
    // Shapes are named in almost every caption; counts and colours in most; relations in some.
    expect(s.shape.captionsWithClaim).toBeGreaterThan(0.7 * items.length);
    expect(s.colour.captionsWithClaim).toBeGreaterThan(0.5 * items.length);
    expect(s.count.captionsWithClaim).toBeGreaterThan(0.4 * items.length);
    expect(s.relation.captionsWithClaim).toBeGreaterThan(0.05 * items.length);
    // The grammar states at most one relation and describes each object at most once.
    for (const { caption, scene: sc } of items) {
      const [colour, shape, count, rel] = claims(caption, sc);
      expect([caption, rel <= 1, Math.max(colour, shape, count) <= sc.objects.length]).toEqual([caption, true, true]);
    }
  });

  const SHAPE_WORD = /\b(circles?|discs?|squares?|triangles?|stars?|hearts?|crosses|cross|plus signs?)\b/;
  const COLOUR_WORD = new RegExp(`\\b(${Object.keys(COLOURS).join('|')})\\b`);

  test('a colour swapped for one no object has is a wrong colour claim', () => {
    let tried = 0;
    for (const { caption, scene: sc } of items) {
      if (!COLOUR_WORD.test(caption)) continue;
      const absent = (Object.keys(COLOURS) as Colour[]).find((c) => sc.objects.every((o) => o.colour !== c))!;
      const bad = caption.replace(COLOUR_WORD, absent);
      expect([bad, captionErrors(bad, sc).colour.wrong]).toEqual([bad, 1]);
      tried++;
    }
    expect(tried).toBeGreaterThan(300);
  });

  test('a shape swapped for one the scene lacks is a wrong shape claim', () => {
    let tried = 0;
    for (const { caption, scene: sc } of items) {
      const m = caption.match(SHAPE_WORD);
      if (!m) continue;
      const absent = SHAPES.find((s) => sc.objects.every((o) => o.shape !== s))!;
      const plural = /s$/.test(m[0]) && m[0] !== 'cross';
      const bad = caption.replace(SHAPE_WORD, absent + (plural ? (absent === 'cross' ? 'es' : 's') : ''));
      expect([bad, captionErrors(bad, sc).shape.wrong]).toEqual([bad, 1]);
      tried++;
    }
    expect(tried).toBeGreaterThan(800);
  });

  test('a changed number is a wrong count claim', () => {
    const NEXT: Record<string, string> = { one: 'two', two: 'three', three: 'four', four: 'one' };
    let tried = 0;
    for (const { caption, scene: sc } of items) {
      const bad = caption.replace(/\b(one|two|three|four)\b(?! above the other)/, (n) => NEXT[n]);
      if (bad === caption) continue;
      expect([bad, captionErrors(bad, sc).count.wrong]).toEqual([bad, 1]);
      tried++;
    }
    expect(tried).toBeGreaterThan(200);
  });

  test('a flipped relation is wrong when the reverse does not hold', () => {
    // With two objects of different shapes each phrase names one object, so the flip is false.
    // (Pair idioms need two alike objects; the hand-written scene covers them.)
    const FLIP: Record<string, string> = { left: 'right', right: 'left', above: 'below', over: 'under', below: 'above', under: 'over', beneath: 'above' };
    let tried = 0;
    for (let i = 0; tried < 100 && i < 5000; i++) {
      const sc = sampleScene(new Rng(13, i));
      if (sc.objects.length !== 2 || sc.objects[0].shape === sc.objects[1].shape) continue;
      for (const c of captionsFor(sc, new Rng(14, i))) {
        const m = c.match(/\b(left|right|above|over|below|under|beneath)\b/);
        if (!m) continue;
        const bad = c.replace(m[0], FLIP[m[0]]);
        expect([c, captionErrors(c, sc).relation]).toEqual([c, { claims: 1, wrong: 0 }]);
        expect([bad, captionErrors(bad, sc).relation]).toEqual([bad, { claims: 1, wrong: 1 }]);
        tried++;
      }
    }
    expect(tried).toBe(100);
  });
});
