/**
 * ShapesWorld: captions are true of their scenes (checked by parsing them back), five distinct per
 * scene; rendering puts the right colour where the scene says; the data set is deterministic, its
 * three parts share no scene, and it is fast enough to regenerate freely.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { Rng } from '../../../worker/train/rng';
import { captionsFor, SHAPE_WORDS, wholeSceneCaptions } from '../../../research/shapes/captions';
import { isFalse } from '../../../research/shapes/errors';
import { generateShapes, partScenes, ShapesOptions } from '../../../research/shapes/generate';
import { renderScene } from '../../../research/shapes/render';
import { Filter, Relation, Scene, matching, relation, sampleScene, sceneKey } from '../../../research/shapes/scene';

// The checker's own lexicon, written independently of the grammar's.
const SHAPES: Record<string, [string, boolean]> = {
  circle: ['circle', false],
  circles: ['circle', true],
  disc: ['circle', false],
  discs: ['circle', true],
  square: ['square', false],
  squares: ['square', true],
  triangle: ['triangle', false],
  triangles: ['triangle', true],
  star: ['star', false],
  stars: ['star', true],
  heart: ['heart', false],
  hearts: ['heart', true],
  cross: ['cross', false],
  crosses: ['cross', true],
};
const SIZES: Record<string, string> = { small: 'small', little: 'small', medium: 'medium', large: 'large', big: 'large' };
const COLOURS = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'pink', 'brown'];
const BG_COLOURS = ['white', 'grey', 'black', 'beige'];
const TEXTURES: Record<string, string> = { plain: 'plain', striped: 'stripes', dotted: 'dots', spotted: 'dots', gradient: 'gradient', shaded: 'gradient' };
const NUMBERS: Record<string, number> = { one: 1, single: 1, two: 2, three: 3, four: 4 };
const RELATIONS: [string, Relation][] = [
  ['to the left of', 'left of'],
  ['on the left of', 'left of'],
  ['left of', 'left of'],
  ['to the right of', 'right of'],
  ['on the right of', 'right of'],
  ['right of', 'right of'],
  ['above', 'above'],
  ['over', 'above'],
  ['below', 'below'],
  ['under', 'below'],
  ['beneath', 'below'],
];

interface Phrase {
  start: number;
  end: number;
  filter: Filter;
}

/** Why `caption` is false of `scene`, or null when every colour, shape, size, count and relation checks out. */
function falsehood(caption: string, scene: Scene): string | null {
  if (!caption.endsWith('.')) return 'no final full stop';
  const text = caption
    .slice(0, -1)
    .replace(/,/g, '')
    .replace(/plus signs/g, 'crosses')
    .replace(/plus sign/g, 'cross')
    .replace(/medium-sized/g, 'medium')
    .replace(/gray/g, 'grey')
    .replace(/one above the other|next to each other|side by side/g, 'PAIR');
  const w = text.split(' ');
  const used = new Set<number>();
  const phrases: Phrase[] = [];
  for (let k = 0; k < w.length; k++) {
    if (w[k] === 'background' || w[k] === 'backdrop') {
      for (let j = k - 1; j >= 0 && (BG_COLOURS.includes(w[j]) || TEXTURES[w[j]] || COLOURS.includes(w[j])); j--) {
        used.add(j);
        if (TEXTURES[w[j]] && TEXTURES[w[j]] !== scene.background.texture) return `texture ${w[j]}`;
        if (!TEXTURES[w[j]] && w[j] !== scene.background.colour) return `background colour ${w[j]}`;
      }
    }
    if (w[k] === 'shape' || w[k] === 'shapes' || w[k] === 'object' || w[k] === 'objects') {
      const n = NUMBERS[w[k - 1]];
      if (n !== undefined && n !== scene.objects.length) return `${w[k - 1]} ${w[k]}`;
    }
    const noun = SHAPES[w[k]];
    if (!noun) continue;
    const f: Filter = { shape: noun[0] as Filter['shape'] };
    let j = k - 1;
    for (; j >= 0 && (SIZES[w[j]] || COLOURS.includes(w[j])); j--) {
      used.add(j);
      if (SIZES[w[j]]) f.size = SIZES[w[j]] as Filter['size'];
      else f.colour = w[j] as Filter['colour'];
    }
    const n = matching(scene, f).length;
    const q = w[j];
    const exact = NUMBERS[q];
    const min = q === 'another' || (noun[1] && exact === undefined) ? 2 : 1;
    if (exact !== undefined ? n !== exact : n < min) return `count of "${w.slice(j, k + 1).join(' ')}" is ${n}`;
    if (exact !== undefined && noun[1] !== exact > 1) return `number agreement in "${w.slice(j, k + 1).join(' ')}"`;
    if (w[k + 1] === 'PAIR' && n !== 2) return 'pair of other than two';
    phrases.push({ start: j, end: k, filter: f });
  }
  const stray = w.findIndex((x, i) => (COLOURS.includes(x) || BG_COLOURS.includes(x)) && !used.has(i));
  if (stray >= 0) return `colour word "${w[stray]}" attached to nothing`;
  for (const [words, rel] of RELATIONS) {
    const at = (' ' + text + ' ').indexOf(` ${words} `);
    if (at < 0) continue;
    const p = text.slice(0, at).split(' ').length - (at === 0 ? 1 : 0);
    const left = phrases.filter((ph) => ph.end < p).pop();
    const right = phrases.find((ph) => ph.start >= p);
    if (!left || !right) return `relation "${words}" without two objects`;
    const ok = matching(scene, left.filter).some((a) => matching(scene, right.filter).some((b) => a !== b && relation(a, b) === rel));
    if (!ok) return `relation "${words}" does not hold`;
    break;
  }
  return null;
}

const made: string[] = [];
const tmp = () => {
  made.push(fs.mkdtempSync(path.join(os.tmpdir(), 'shapes-')));
  return made[made.length - 1];
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function hashTree(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else h.update(path.relative(dir, p)).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const readJsonl = (p: string) =>
  fs
    .readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('ShapesWorld captions', () => {
  test('the checker catches false captions', () => {
    const scene: Scene = {
      background: { colour: 'white', texture: 'stripes' },
      objects: [
        { shape: 'circle', colour: 'red', size: 'large', x: 0.2, y: 0.5 },
        { shape: 'square', colour: 'blue', size: 'small', x: 0.8, y: 0.5 },
      ],
    };
    expect(falsehood('a red circle to the left of a blue square on a striped white background.', scene)).toBeNull();
    for (const bad of [
      'two red circles.',
      'a blue circle.',
      'a small red circle.',
      'a red circle to the right of a blue square.',
      'a red circle on a dotted background.',
      'a red circle on a black background.',
      'three shapes.',
      'a green star.',
      'a red circle',
      'red circles.',
    ]) {
      expect([bad, falsehood(bad, scene)]).not.toEqual([bad, null]);
    }
  });

  test('five distinct captions per scene, every one true of it', () => {
    const templatesSeen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const scene = sampleScene(new Rng(5, i));
      expect(scene.objects.length).toBeGreaterThanOrEqual(1);
      expect(scene.objects.length).toBeLessThanOrEqual(4);
      const caps = captionsFor(scene, new Rng(6, i));
      expect(new Set(caps).size).toBe(5);
      for (const c of caps) {
        expect([c, falsehood(c, scene)]).toEqual([c, null]);
        templatesSeen.add(c.split(' ').slice(0, 2).join(' '));
      }
    }
    expect(templatesSeen.size).toBeGreaterThan(30);
  });

  test('whole-scene captions: five distinct, true, each naming every object with its colour and the background', () => {
    for (let i = 0; i < 500; i++) {
      const scene = sampleScene(new Rng(7, i));
      const caps = wholeSceneCaptions(scene, new Rng(8, i));
      expect(new Set(caps).size).toBe(5);
      for (const c of caps) {
        expect([c, falsehood(c, scene)]).toEqual([c, null]);
        expect([c, isFalse(c, scene)]).toEqual([c, false]);
        expect(c).toMatch(/\b(background|backdrop)\b/);
        // Every object's colour is said right before one of its shape's words (a size, if any, comes before the colour).
        for (const o of scene.objects) expect([c, new RegExp(`\\b${o.colour} (${SHAPE_WORDS[o.shape].flat().join('|')})\\b`).test(c)]).toEqual([c, true]);
      }
    }
  });
});

describe('ShapesWorld rendering', () => {
  test('a red circle on plain white is red at its centre and white in the corner', async () => {
    const scene: Scene = { background: { colour: 'white', texture: 'plain' }, objects: [{ shape: 'circle', colour: 'red', size: 'large', x: 0.5, y: 0.5 }] };
    const png = await renderScene(scene, 64, new Rng(1));
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([64, 64, 3]);
    const px = (x: number, y: number) => Array.from(data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3));
    const [r, g, b] = px(32, 32);
    expect(r).toBeGreaterThan(190);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
    expect(Math.min(...px(2, 2))).toBeGreaterThan(235);
  });
});

describe('ShapesWorld data set', () => {
  const opts: ShapesOptions = { seed: 7, pairs: 40, texts: 30, heldOut: 20, size: 48 };

  test('same seed gives byte-identical files, another seed differs', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    await generateShapes(a, opts);
    await generateShapes(b, opts);
    await generateShapes(c, { ...opts, seed: 8 });
    expect(hashTree(a)).toBe(hashTree(b));
    expect(hashTree(a)).not.toBe(hashTree(c));
  });

  test('three disjoint parts with the files the design names, images of the right size', async () => {
    const dir = tmp();
    await generateShapes(dir, opts);
    const pairs = readJsonl(path.join(dir, 'pairs', 'pairs.jsonl'));
    const held = readJsonl(path.join(dir, 'heldout', 'heldout.jsonl'));
    const texts = fs.readFileSync(path.join(dir, 'texts.txt'), 'utf8').trim().split('\n');
    expect([pairs.length, texts.length, held.length]).toEqual([40, 150, 20]);

    const scenes = partScenes(opts);
    expect(pairs.map((p) => p.scene)).toEqual(scenes.pairs);
    expect(held.map((p) => p.scene)).toEqual(scenes.heldOut);
    const keys = [scenes.pairs, scenes.texts, scenes.heldOut].map((part) => new Set(part.map(sceneKey)));
    expect(keys.map((k) => k.size)).toEqual([40, 30, 20]);
    expect(new Set(keys.flatMap((k) => [...k])).size).toBe(90);

    scenes.texts.forEach((scene, i) => {
      const five = texts.slice(5 * i, 5 * i + 5);
      expect(new Set(five).size).toBe(5);
      for (const c of five) expect([c, falsehood(c, scene)]).toEqual([c, null]);
    });
    for (const [rows, field, sub] of [
      [pairs, 'captions', 'pairs'],
      [held, 'references', 'heldout'],
    ] as const) {
      for (const row of rows) {
        expect(new Set(row[field]).size).toBe(5);
        for (const c of row[field]) expect([c, falsehood(c, row.scene)]).toEqual([c, null]);
        const meta = await sharp(path.join(dir, sub, row.image)).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['png', 48, 48]);
      }
    }
  });

  test('drawn independently (iid): contents repeat within a part, never across parts or into the validation pairs, which stay the same for any number of pairs', async () => {
    const iid: ShapesOptions = { seed: 3, pairs: 4000, texts: 1000, heldOut: 500, size: 48, iid: { val: 200 } };
    const scenes = partScenes(iid);
    const train = scenes.pairs.slice(0, 3800);
    const val = scenes.pairs.slice(3800);
    const parts = [train, val, scenes.texts, scenes.heldOut];
    const keys = parts.map((part) => new Set(part.map(sceneKey)));
    const all = keys.flatMap((k) => [...k]);
    expect(new Set(all).size).toBe(all.length);
    // Repeats: the first-come draw never repeats a key; this one does, most of all one-object scenes (2304 contents).
    expect(keys[0].size).toBeLessThan(train.length);
    // A quarter of every part holds one object, as sampleScene draws them (the first-come draw runs short of them).
    for (const part of parts) expect(part.filter((s) => s.objects.length === 1).length / part.length).toBeGreaterThan(0.2);

    const more = partScenes({ ...iid, pairs: 6000 });
    expect(more.pairs.slice(5800)).toEqual(val);
    expect(more.pairs.slice(0, 3800)).toEqual(train);
    expect([more.texts, more.heldOut]).toEqual([scenes.texts, scenes.heldOut]);

    // Rendered and captioned from the same streams whatever the number of pairs: the validation rows are byte-identical.
    const [a, b] = [tmp(), tmp()];
    const small = { ...opts, iid: { val: 10 } };
    await generateShapes(a, small);
    await generateShapes(b, { ...small, pairs: 60 });
    const rows = (dir: string) => readJsonl(path.join(dir, 'pairs', 'pairs.jsonl'));
    const png = (dir: string, row: { image: string }) => sha(path.join(dir, 'pairs', row.image));
    const [va, vb] = [rows(a).slice(30), rows(b).slice(50)];
    expect(vb.map((r) => [r.captions, r.scene])).toEqual(va.map((r) => [r.captions, r.scene]));
    expect(vb.map((r) => png(b, r))).toEqual(va.map((r) => png(a, r)));
    expect(() => partScenes({ ...small, iid: { val: 40 } })).toThrow('a validation split of 40 leaves no pairs');
  });

  // How fast scenes render: bench/shapes-generate.ts.
});
