/**
 * Error analysis of captions by attribute: a caption is parsed back against its scene and each
 * colour, shape, count and relation claim it makes is checked, so a quality report can say which
 * kind of fact a captioner gets wrong. Model output may be ungrammatical, so parsing is by local
 * word patterns, never by a full grammar; anything unrecognised is simply not a claim.
 *
 * Rules (a "phrase" is adjectives — size and colour words — before a shape noun or "shape"/"object",
 * with the number word right before it, if any, as its stated count):
 * - colour: every colour word outside the background phrase is a claim; it is wrong when no object
 *   has that colour. Background colours count here when they describe an object ("a black star"),
 *   and are then always wrong: no object has a background colour.
 * - binding: a colour word in a phrase with a shape noun is also a claim that the two go together;
 *   it is wrong when no object has both ("red circle" beside a red star and a blue circle: colour
 *   right, binding wrong), the classic weakness of one-vector image embeddings.
 * - shape: every shape noun (synonyms, either number) is a claim, wrong when no object has that shape.
 * - count: every phrase with a stated number ("two red circles", "one star", "a single heart",
 *   "three shapes") is a claim, wrong when the number of objects matching all its adjectives and its
 *   noun differs; "a"/"an"/"another" claim existence only and so are not count claims.
 * - relation: each relation expression is a claim about the nearest phrase before it and the nearest
 *   after, wrong when no two different objects matching them stand in that relation; a pair idiom
 *   ("next to each other", "side by side", "one above the other") needs two different objects
 *   matching the phrase before it to stand left/right (resp. above/below) of each other.
 * A phrase counted as "zero" claims absence, so its shape and colour words are not existence claims.
 */
import { TEXTURE_WORDS } from './captions';
import { BACKGROUNDS, COLOURS, Relation, Scene, Shape, Size, relation } from './scene';

export type Attribute = 'colour' | 'binding' | 'shape' | 'count' | 'relation';
/** The attributes in the order reports list them. */
export const ATTRIBUTES: readonly Attribute[] = ['colour', 'binding', 'shape', 'count', 'relation'];
type Tally = { claims: number; wrong: number };
/** One attribute's errors over many captions. */
export type ErrorSummary = Tally & { rate: number; captionsWithClaim: number; captionsWrong: number };

// Maps, not object literals, so that a word such as "constructor" finds nothing.
const SHAPE_NOUNS = new Map<string, Shape>(
  Object.entries({
    circle: 'circle',
    circles: 'circle',
    disc: 'circle',
    discs: 'circle',
    square: 'square',
    squares: 'square',
    triangle: 'triangle',
    triangles: 'triangle',
    star: 'star',
    stars: 'star',
    heart: 'heart',
    hearts: 'heart',
    cross: 'cross',
    crosses: 'cross',
  } as const),
);
const GENERIC_NOUNS = new Set(['shape', 'shapes', 'object', 'objects']);
const SIZE_WORDS = new Map<string, Size>(Object.entries({ small: 'small', little: 'small', medium: 'medium', large: 'large', big: 'large' } as const));
const COLOUR_WORDS = new Set([...Object.keys(COLOURS), ...Object.keys(BACKGROUNDS)]);
const TEXTURES = new Set(Object.values(TEXTURE_WORDS).flat());
const NUMBER_WORDS = new Map(Object.entries({ zero: 0, one: 1, single: 1, two: 2, three: 3, four: 4 }));

/** Multi-word expressions become one token each; the pair idioms go first so "one above the other" is no "above". */
const REWRITES: [RegExp, string][] = [
  [/\bplus signs\b/g, 'crosses'],
  [/\bplus sign\b/g, 'cross'],
  [/\bmedium-sized\b/g, 'medium'],
  [/\bgray\b/g, 'grey'],
  [/\b(?:next to each other|side by side)\b/g, '~side'],
  [/\bone above the other\b/g, '~stack'],
  [/\b(?:(?:to|on) the )?left of\b/g, '~left'],
  [/\b(?:(?:to|on) the )?right of\b/g, '~right'],
  [/\b(?:above|over)\b/g, '~above'],
  [/\b(?:below|under|beneath)\b/g, '~below'],
];
/** The relations each token accepts between the phrase before it and the one after. */
const RELATIONS = new Map<string, Relation[]>([
  ['~left', ['left of']],
  ['~right', ['right of']],
  ['~above', ['above']],
  ['~below', ['below']],
  ['~side', ['left of', 'right of']],
  ['~stack', ['above', 'below']],
]);
/** Pair idioms relate two objects of the one phrase before them. */
const PAIR_IDIOMS = new Set(['~side', '~stack']);

interface Phrase {
  /** Token indices of the first adjective (or the noun) and of the noun. */
  start: number;
  end: number;
  shape?: Shape;
  colour?: string;
  size?: Size;
  stated?: number;
}

function tokens(caption: string): string[] {
  let text = caption.toLowerCase().replace(/[^a-z\s-]/g, ' ');
  for (const [re, to] of REWRITES) text = text.replace(re, ` ${to} `);
  return text.split(/\s+/).filter(Boolean);
}

/** Indices of the words in "a striped grey background": they describe the backdrop, not an object. */
function backgroundWords(w: string[]): Set<number> {
  const out = new Set<number>();
  w.forEach((t, k) => {
    if (t !== 'background' && t !== 'backdrop') return;
    for (let j = k - 1; j >= 0 && (COLOUR_WORDS.has(w[j]) || TEXTURES.has(w[j])); j--) out.add(j);
  });
  return out;
}

function phrases(w: string[], background: Set<number>): Phrase[] {
  const out: Phrase[] = [];
  w.forEach((t, k) => {
    if (!SHAPE_NOUNS.has(t) && !GENERIC_NOUNS.has(t)) return;
    const p: Phrase = { start: k, end: k, shape: SHAPE_NOUNS.get(t) };
    for (; p.start > 0 && !background.has(p.start - 1); p.start--) {
      const a = w[p.start - 1];
      if (SIZE_WORDS.has(a)) p.size = SIZE_WORDS.get(a);
      else if (COLOUR_WORDS.has(a)) p.colour = a;
      else break;
    }
    p.stated = NUMBER_WORDS.get(w[p.start - 1]);
    out.push(p);
  });
  return out;
}

function matches(scene: Scene, p: Phrase) {
  return scene.objects.filter((o) => (!p.shape || o.shape === p.shape) && (!p.colour || o.colour === p.colour) && (!p.size || o.size === p.size));
}

/** A caption's words, its background words and its phrases. */
function parse(caption: string) {
  const w = tokens(caption);
  const background = backgroundWords(w);
  return { w, background, ps: phrases(w, background) };
}

type Facts = { shapes: Shape[]; colours: string[]; pairs: { colour: string; shape: Shape }[] };

/** The shape, colour and binding facts of a parsed caption (the claims of those kinds; rules in the file comment). */
function factsOf({ w, background, ps }: ReturnType<typeof parse>): Facts {
  const out: Facts = { shapes: [], colours: [], pairs: [] };
  for (const p of ps) if (p.shape && p.stated !== 0) out.shapes.push(p.shape);
  w.forEach((t, i) => {
    const owner = ps.find((p) => p.start <= i && i < p.end);
    if (!COLOUR_WORDS.has(t) || background.has(i) || owner?.stated === 0) return;
    out.colours.push(t);
    if (owner?.shape) out.pairs.push({ colour: t, shape: owner.shape });
  });
  return out;
}

/** The facts a caption states: the shape nouns of its phrases, its colour words outside the background, and each colour with its phrase's shape noun. */
export const statedFacts = (caption: string): Facts => factsOf(parse(caption));

/** Claims and wrong claims of each attribute in one caption (rules in the file comment). */
export function captionErrors(caption: string, scene: Scene): Record<Attribute, Tally> {
  const parsed = parse(caption);
  const { w, ps } = parsed;
  const out = Object.fromEntries(ATTRIBUTES.map((a) => [a, { claims: 0, wrong: 0 }])) as Record<Attribute, Tally>;
  const claim = (a: Attribute, holds: boolean) => {
    out[a].claims++;
    if (!holds) out[a].wrong++;
  };
  for (const p of ps) if (p.stated !== undefined) claim('count', matches(scene, p).length === p.stated);
  const facts = factsOf(parsed);
  for (const shape of facts.shapes)
    claim(
      'shape',
      scene.objects.some((o) => o.shape === shape),
    );
  for (const colour of facts.colours)
    claim(
      'colour',
      scene.objects.some((o) => o.colour === colour),
    );
  for (const { colour, shape } of facts.pairs)
    claim(
      'binding',
      scene.objects.some((o) => o.colour === colour && o.shape === shape),
    );
  w.forEach((t, i) => {
    const rels = RELATIONS.get(t);
    const x = ps.filter((p) => p.end < i).pop();
    const y = PAIR_IDIOMS.has(t) ? x : ps.find((p) => p.start > i);
    if (!rels || !x || !y) return;
    const ys = matches(scene, y);
    claim(
      'relation',
      matches(scene, x).some((a) =>
        ys.some((b) => {
          const r = a !== b && relation(a, b);
          return !!r && rels.includes(r);
        }),
      ),
    );
  });
  return out;
}

/** Whether a caption makes any false claim about its scene. */
export const isFalse = (caption: string, scene: Scene): boolean => {
  const e = captionErrors(caption, scene);
  return ATTRIBUTES.some((a) => e[a].wrong > 0);
};

/** Totals over many captions, with the share of claims that are wrong and how many captions have any. */
export function summariseErrors(items: { caption: string; scene: Scene }[]): Record<Attribute, ErrorSummary> {
  const out = Object.fromEntries(ATTRIBUTES.map((a) => [a, { claims: 0, wrong: 0, rate: 0, captionsWithClaim: 0, captionsWrong: 0 }])) as Record<Attribute, ErrorSummary>;
  for (const { caption, scene } of items) {
    const e = captionErrors(caption, scene);
    for (const a of ATTRIBUTES) {
      out[a].claims += e[a].claims;
      out[a].wrong += e[a].wrong;
      if (e[a].claims > 0) out[a].captionsWithClaim++;
      if (e[a].wrong > 0) out[a].captionsWrong++;
    }
  }
  for (const a of ATTRIBUTES) out[a].rate = out[a].claims ? out[a].wrong / out[a].claims : 0;
  return out;
}
