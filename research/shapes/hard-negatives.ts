/**
 * Hard negatives for the mini-CLIP: a false caption of a scene, made from one of its true captions
 * by one small edit (two object colours swapped, an object's colour or shape replaced, a count
 * changed, the background's colour or texture replaced), so that it differs from the truth in one
 * fact only. Object edits count only when the error checker finds the result false (replacing a
 * shape may name another object that has it); background edits are false by construction, since a
 * scene has one background.
 */
import { Rng } from '../../worker/train/rng';
import { ClipPair } from '../mini-clip';
import { NUMBERS, SHAPE_WORDS, TEXTURE_WORDS } from './captions';
import { ShapesItem } from './data';
import { isFalse } from './errors';
import { STREAM } from './generate';
import { BACKGROUNDS, COLOUR_NAMES, Scene } from './scene';

type Span = { at: number; word: string };
type Edit = (caption: string, rng: Rng) => string | null;

const BACKGROUND_COLOURS = [...Object.keys(BACKGROUNDS), 'gray'];
const TEXTURES = Object.values(TEXTURE_WORDS).flat();
const SINGULAR = Object.values(SHAPE_WORDS).map((forms) => forms.map((f) => f[0]));
const PLURAL = Object.values(SHAPE_WORDS).map((forms) => forms.map((f) => f[1]));
// Plural counts only: "two" -> "three" keeps the noun's number, so the edit changes the count and nothing else.
const COUNTS = NUMBERS.slice(2);

/** Every whole-word occurrence of `words` (longest first, so "plus signs" wins over "plus sign"). */
function spans(caption: string, words: string[]): Span[] {
  const alternatives = [...words].sort((a, b) => b.length - a.length).join('|');
  return [...caption.matchAll(new RegExp(`\\b(?:${alternatives})\\b`, 'g'))].map((m) => ({ at: m.index, word: m[0] }));
}

/** "a"/"an" before each word as the grammar writes them, so that an edit shows in its word alone ("an orange" -> "a red"). */
const articles = (caption: string) => caption.replace(/\b(a|an) (\w)/g, (_, _a: string, next: string) => `${/[aeiou]/.test(next) ? 'an' : 'a'} ${next}`);

const put = (caption: string, s: Span, word: string) => articles(caption.slice(0, s.at) + word + caption.slice(s.at + s.word.length));

function pick<T>(rng: Rng, xs: readonly T[]): T | null {
  return xs.length ? xs[rng.int(xs.length)] : null;
}

/** Whether the word at `s` describes the background: only colour and texture words stand between it and "background". */
function inBackground(caption: string, s: Span): boolean {
  const rest = caption.slice(s.at + s.word.length);
  return new RegExp(`^(?: (?:${[...BACKGROUND_COLOURS, ...COLOUR_NAMES, ...TEXTURES].join('|')}))* (?:background|backdrop)\\b`).test(rest);
}

/** One occurrence of `words` (in the background phrase or outside it) replaced by a word `others` offers for it. */
const replace =
  (words: string[], others: (word: string) => string[], background: boolean): Edit =>
  (caption, rng) => {
    const s = pick(
      rng,
      spans(caption, words).filter((x) => inBackground(caption, x) === background),
    );
    const to = s && pick(rng, others(s.word));
    return s && to ? put(caption, s, to) : null;
  };

const otherShape = (word: string) => {
  for (const forms of [SINGULAR, PLURAL]) {
    const k = forms.findIndex((f) => f.includes(word));
    if (k >= 0) return forms.filter((_, j) => j !== k).flat();
  }
  return [];
};

const swapColours: Edit = (caption, rng) => {
  const found = spans(caption, COLOUR_NAMES).filter((s) => !inBackground(caption, s));
  const a = pick(rng, found);
  const b =
    a &&
    pick(
      rng,
      found.filter((s) => s.word !== a.word),
    );
  if (!a || !b) return null;
  const [first, second] = a.at < b.at ? [a, b] : [b, a];
  return put(put(caption, second, first.word), first, second.word);
};

const EDITS: { edit: Edit; weight: number; checked: boolean }[] = [
  { edit: swapColours, weight: 3, checked: true },
  { edit: replace(SINGULAR.flat().concat(PLURAL.flat()), otherShape, false), weight: 3, checked: true },
  { edit: replace(COLOUR_NAMES, (w) => COLOUR_NAMES.filter((c) => c !== w), false), weight: 2, checked: true },
  { edit: replace(COUNTS, (w) => COUNTS.filter((c) => c !== w), false), weight: 2, checked: true },
  { edit: replace(BACKGROUND_COLOURS, (w) => BACKGROUND_COLOURS.filter((c) => c !== w && !['grey', 'gray'].every((g) => g === c || g === w)), true), weight: 1, checked: false },
  {
    edit: replace(
      TEXTURES,
      (w) =>
        Object.values(TEXTURE_WORDS)
          .filter((ws) => !ws.includes(w))
          .flat(),
      true,
    ),
    weight: 1,
    checked: false,
  },
];

/** A false caption of `scene` one edit away from its true `caption`, or null when no edit makes one. */
export function falseCaption(caption: string, scene: Scene, rng: Rng): string | null {
  const left = [...EDITS];
  while (left.length) {
    let r = rng.uniform() * left.reduce((a, e) => a + e.weight, 0);
    const k = left.findIndex((e) => (r -= e.weight) < 0);
    const { edit, checked } = left.splice(k < 0 ? left.length - 1 : k, 1)[0];
    for (let tries = 0; tries < 4; tries++) {
      const out = edit(caption, rng);
      if (out && out !== caption && (!checked || isFalse(out, scene))) return out;
    }
  }
  return null;
}

/** The first caption of the next image after `i` that is false of image i's scene. */
function otherScenes(items: ShapesItem[], i: number): string {
  for (let k = 1; k < items.length; k++) {
    const c = items[(i + k) % items.length].captions[0];
    if (isFalse(c, items[i].scene)) return c;
  }
  throw new Error('hard negatives: no caption of another scene is false of this one');
}

/**
 * The pairs with a false caption beside each true one, drawn from the seed's stream. Where no edit
 * makes a caption false (rare: a shape list that names every shape there is), a caption of another
 * scene that is false of this one stands in.
 */
export function withHardNegatives(items: ShapesItem[], seed: number): ClipPair[] {
  const rng = new Rng(seed, STREAM.hardNegative);
  return items.map((it, i) => ({
    image: it.image,
    captions: it.captions,
    negatives: it.captions.map((c) => falseCaption(c, it.scene, rng) ?? otherScenes(items, i)),
  }));
}
