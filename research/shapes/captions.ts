/**
 * Reference captions for a ShapesWorld scene: a small grammar with paraphrase templates and
 * synonyms, so that like COCO's five references per image they vary in wording and in what they
 * mention, while every statement (colour, shape, size, count, relation, background) is true.
 */
import { Rng } from '../../worker/train/rng';
import { Filter, Scene, SceneObject, Shape, Size, Texture, count, matching, relation, Relation } from './scene';

export const SHAPE_WORDS: Record<Shape, [string, string][]> = {
  circle: [
    ['circle', 'circles'],
    ['disc', 'discs'],
  ],
  square: [['square', 'squares']],
  triangle: [['triangle', 'triangles']],
  star: [['star', 'stars']],
  heart: [['heart', 'hearts']],
  cross: [
    ['cross', 'crosses'],
    ['plus sign', 'plus signs'],
  ],
};
const SIZE_WORDS: Record<Size, string[]> = {
  small: ['small', 'little'],
  medium: ['medium', 'medium-sized'],
  large: ['large', 'big'],
};
export const TEXTURE_WORDS: Record<Texture, string[]> = {
  plain: ['plain'],
  stripes: ['striped'],
  dots: ['dotted', 'spotted'],
  gradient: ['gradient', 'shaded'],
};
const RELATION_WORDS: Record<Relation, string[]> = {
  'left of': ['to the left of', 'left of', 'on the left of'],
  'right of': ['to the right of', 'right of', 'on the right of'],
  above: ['above', 'over'],
  below: ['below', 'under', 'beneath'],
};
export const NUMBERS = ['zero', 'one', 'two', 'three', 'four'];
const PREFIXES = ['', '', 'a picture of ', 'an image of ', 'a drawing of ', 'a simple drawing of ', 'an illustration of ', 'a photo of '];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** "a" or "an" before `words`, as every caption writes it. */
export function withArticle(words: string): string {
  return (/^[aeiou]/.test(words) ? 'an ' : 'a ') + words;
}

/** Adjectives and noun for a filter, e.g. "big red circles". */
function body(rng: Rng, f: Filter, plural: boolean): string {
  const words: string[] = [];
  if (f.size) words.push(pick(rng, SIZE_WORDS[f.size]));
  if (f.colour) words.push(f.colour);
  if (f.shape) words.push(pick(rng, SHAPE_WORDS[f.shape])[plural ? 1 : 0]);
  return words.join(' ');
}

/** A counted noun phrase: the number stated is exactly how many objects the filter matches. */
function counted(rng: Rng, scene: Scene, f: Filter): string {
  const n = count(scene, f);
  if (n > 1) return `${NUMBERS[n]} ${body(rng, f, true)}`;
  const q = rng.int(3);
  return q === 0 ? `one ${body(rng, f, false)}` : q === 1 ? `a single ${body(rng, f, false)}` : withArticle(body(rng, f, false));
}

/** An existential "a ..." phrase for one object; "a" claims at least one, so any filter is true. */
function some(rng: Rng, o: SceneObject): string {
  return withArticle(body(rng, filterFor(rng, o), false));
}

/** Which attributes to mention: shape always, colour usually, size sometimes. */
function filterFor(rng: Rng, o: SceneObject): Filter {
  return { shape: o.shape, colour: rng.uniform() < 0.85 ? o.colour : undefined, size: rng.uniform() < 0.35 ? o.size : undefined };
}

function background(rng: Rng, scene: Scene): string {
  const { colour, texture } = scene.background;
  const mode = rng.int(3);
  const adjs: string[] = [];
  if (mode !== 1) adjs.push(pick(rng, TEXTURE_WORDS[texture]));
  if (mode !== 0) adjs.push(colour === 'grey' ? pick(rng, ['grey', 'gray']) : colour);
  return `${withArticle(adjs.join(' '))} ${pick(rng, ['background', 'backdrop'])}`;
}

/** " on a striped grey background" and its variants. */
const onBackground = (rng: Rng, scene: Scene) => ` ${pick(rng, ['on', 'against', 'in front of'])} ${background(rng, scene)}`;

function maybeBackground(rng: Rng, scene: Scene, p: number): string {
  return rng.uniform() < p ? onBackground(rng, scene) : '';
}

/** "there is" or "there are", as the first listed item reads. */
const thereIs = (items: string[]) => (/^(a|an|one) /.test(items[0]) ? 'there is' : 'there are');

function join(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Every object, grouped by colour and shape (or, unless `colours`, sometimes by shape alone), each group counted. */
function listing(rng: Rng, scene: Scene, colours = false): string[] {
  // The draw is made either way, so the default captions stay the seed's.
  const byShapeOnly = rng.uniform() < 0.25 && !colours;
  const groups = new Map<string, Filter>();
  for (const o of scene.objects) {
    const f: Filter = byShapeOnly ? { shape: o.shape } : { shape: o.shape, colour: o.colour };
    groups.set(`${f.colour}/${f.shape}`, f);
  }
  const filters = [...groups.values()];
  for (const f of filters) {
    const sizes = new Set(matching(scene, f).map((o) => o.size));
    if (sizes.size === 1 && rng.uniform() < 0.3) f.size = [...sizes][0];
  }
  const order = rng.permutation(filters.length);
  return Array.from(order, (i) => counted(rng, scene, filters[i]));
}

type Template = (rng: Rng, scene: Scene) => string | null;

const TEMPLATES: Template[] = [
  // "a picture of two red circles and a blue star on a grey background"
  (rng, s) => pick(rng, PREFIXES) + join(listing(rng, s)) + maybeBackground(rng, s, 0.4),
  // "there are two red circles and a blue star"
  (rng, s) => {
    const items = listing(rng, s);
    return `${thereIs(items)} ${join(items)}` + maybeBackground(rng, s, 0.5);
  },
  // "a red circle above a blue square"
  (rng, s) => {
    const pairs: [SceneObject, SceneObject, Relation][] = [];
    for (const a of s.objects)
      for (const b of s.objects) {
        const r = a === b ? null : relation(a, b);
        if (r) pairs.push([a, b, r]);
      }
    if (pairs.length === 0) return null;
    const [a, b, r] = pick(rng, pairs);
    const verb = pick(rng, ['', '', ' is', ' sits']);
    const lead = verb ? '' : pick(rng, ['', 'there is ', 'a picture of ']);
    const first = some(rng, a);
    const second = some(rng, b);
    // "a purple square above a purple square" reads oddly; say "another" as a person would.
    const other = first === second ? `another ${first.replace(/^an? /, '')}` : second;
    return `${lead}${first}${verb} ${pick(rng, RELATION_WORDS[r])} ${other}` + maybeBackground(rng, s, 0.25);
  },
  // "there is a small green star on a striped background"
  (rng, s) => {
    const f = filterFor(rng, pick(rng, s.objects));
    const np = counted(rng, s, f);
    const lead = pick(rng, ['', 'there is ', 'this image shows ', 'we can see ']);
    return (lead === 'there is ' && count(s, f) > 1 ? 'there are ' : lead) + np + maybeBackground(rng, s, 0.6);
  },
  // "three shapes on a black background"
  (rng, s) => {
    const n = s.objects.length;
    const noun = pick(rng, ['shape', 'object']);
    const np = n === 1 ? `a single ${noun}` : `${NUMBERS[n]} ${noun}s`;
    return pick(rng, ['', 'a picture of ', 'an image with ']) + np + ` ${pick(rng, ['on', 'against'])} ${background(rng, s)}`;
  },
  // "two yellow hearts next to each other"
  (rng, s) => {
    for (const a of s.objects)
      for (const b of s.objects) {
        if (a === b || a.shape !== b.shape || a.colour !== b.colour || count(s, { shape: a.shape, colour: a.colour }) !== 2) continue;
        const r = relation(a, b);
        if (!r) continue;
        const how = r === 'left of' || r === 'right of' ? pick(rng, ['next to each other', 'side by side']) : 'one above the other';
        return `${counted(rng, s, { shape: a.shape, colour: a.colour })} ${how}` + maybeBackground(rng, s, 0.3);
      }
    return null;
  },
  // "a striped grey background with a red circle and a blue star"
  (rng, s) => `${background(rng, s)} with ${join(listing(rng, s))}`,
];

/** Five different true captions, each ending with "."; throws if the grammar cannot give five. */
export function captionsFor(scene: Scene, rng: Rng): string[] {
  const out = new Set<string>();
  for (let tries = 0; out.size < 5 && tries < 1000; tries++) {
    const c = pick(rng, TEMPLATES)(rng, scene);
    if (c) out.add(c + '.');
  }
  if (out.size < 5) throw new Error(`only ${out.size} distinct captions for scene`);
  return [...out];
}

const WHOLE_SCENE: Template[] = [
  // "a picture of two red circles and a blue star on a striped grey background"
  (rng, s) => `${pick(rng, PREFIXES)}${join(listing(rng, s, true))}${onBackground(rng, s)}`,
  // "there are two red circles and a blue star against a grey backdrop"
  (rng, s) => {
    const items = listing(rng, s, true);
    return `${thereIs(items)} ${join(items)}${onBackground(rng, s)}`;
  },
  // "a striped grey background with two red circles and a blue star"
  (rng, s) => `${background(rng, s)} with ${join(listing(rng, s, true))}`,
];

/**
 * Five different true captions that each describe the whole scene (every object with its colour,
 * and the background), unlike captionsFor's, which may describe a part: the references on which a
 * text–text cosine measures wording alone. Used for that measurement only, never for training.
 */
export function wholeSceneCaptions(scene: Scene, rng: Rng): string[] {
  const out = new Set<string>();
  for (let tries = 0; out.size < 5 && tries < 1000; tries++) out.add(pick(rng, WHOLE_SCENE)(rng, scene) + '.');
  if (out.size < 5) throw new Error(`only ${out.size} distinct whole-scene captions for scene`);
  return [...out];
}
