/**
 * The ArtWorld data set in one folder: every image rendered at the CLIP's size, and the splits.
 * - clip: training-style emoji (Noto, Fluent) and the training slice of the clip art, each image
 *   with its renderings (render.ts), paired with its name and a line of its tags or keywords;
 * - val: the Noto images of a seeded tenth of the emoji, kept out of CLIP (their other styles are
 *   in), to choose M and other settings;
 * - heldout: every emoji in the OpenMoji style, which nothing is trained on;
 * - clipart-heldout: a seeded tenth of the clip art drawings: one file of each (readClipArt drops
 *   links and copies), less those that render the same as a training drawing (re-saved copies).
 *   A title several drawings share may also name a training drawing, as an emoji's label is in
 *   the corpus: the drawing is new, not its name;
 * - corpus.txt: the text the captioner trains on: all emoji labels (the held-out style draws the
 *   same emoji, so its labels are there like all labels) and the training slice's clip-art titles.
 * Tags and keywords go to CLIP only: a decoder taught them would write keyword lists, not alt text.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CleaningLog, readClipArt } from './clipart';
import { EmojiStyle, HELD_OUT_STYLE, readEmoji, TRAIN_STYLES } from './emoji';
import { renderArt, renderVariant, Variant } from './render';
import { ART_PATHS } from './sources';

export interface ArtOptions {
  seed: number;
  /** Rendered width and height in pixels (the CLIP's input size). */
  size: number;
  /** Share of emoji whose Noto image is the validation split, and of clip art held out. */
  valShare: number;
  clipartHeldOutShare: number;
  /** Renderings added to each emoji image CLIP trains on. */
  variants: Variant[];
}

export interface ArtItem {
  /** Rendered PNG. */
  image: string;
  /** The human-written name: CLDR label or cleaned title. */
  name: string;
  /** What CLIP pairs the image with: the name, and the name with its tags or keywords. */
  texts: [string, string];
  kind: 'emoji' | 'clipart';
  style: string;
  /** Emoji group, or the clip art's top category. */
  group: string;
  /** Emoji hexcode or clip-art path: what the splits keep apart. */
  key: string;
}

export interface ArtSplits {
  clip: ArtItem[];
  val: ArtItem[];
  heldout: ArtItem[];
  clipartHeldout: ArtItem[];
}

/** Bumped when rendering or splitting changes, so that a data set written before is written again. */
export const ART_DATA_FORMAT = 5;

const PARTS = { clip: 'clip.jsonl', val: 'val.jsonl', heldout: 'heldout.jsonl', clipartHeldout: 'clipart-heldout.jsonl' } as const;

/** A seeded, stable fraction in [0, 1) for a key: which split it falls in does not depend on what else is in the data. */
function share(seed: number, key: string): number {
  return crypto.createHash('sha256').update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

function tagLine(name: string, words: string[]): string {
  const extra = words.filter((w) => !name.split(' ').includes(w)).slice(0, 8);
  return extra.length ? `${name}: ${extra.join(', ')}` : name;
}

async function pool<T>(items: T[], run: (t: T, i: number) => Promise<void>, onDone?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await run(items[i], i);
      if (++done % 500 === 0) onDone?.(done);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

export interface ArtDataSummary {
  emoji: number;
  images: Record<string, number>;
  clipart: CleaningLog;
  /** Images that failed to render or rendered as one colour, by file: left out. */
  unrendered: Record<string, string>;
  /** Held-out clip art dropped for rendering the same as a training (or earlier held-out) drawing. */
  sameLookingHeldOut: number;
  parts: Record<keyof ArtSplits, number>;
  corpus: number;
}

/** Renders everything into `dir` (resumable: finished renderings are kept) and writes the splits and the corpus. */
export async function writeArtData(src: string, dir: string, o: ArtOptions, onStep?: (what: string) => void): Promise<ArtDataSummary> {
  const emoji = readEmoji(src);
  const clipart = readClipArt(path.join(src, ART_PATHS.clipart));
  const unrendered: Record<string, string> = {};
  const splits: ArtSplits = { clip: [], val: [], heldout: [], clipartHeldout: [] };
  const jobs: { from: string; png: string; variants: Variant[]; item: Omit<ArtItem, 'image'>; part: keyof ArtSplits }[] = [];
  const img = (style: string, name: string) => path.join(dir, 'img', style, `${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.png`);

  for (const e of emoji) {
    const val = share(o.seed, `val:${e.hexcode}`) < o.valShare && e.images.noto && TRAIN_STYLES.some((s) => s !== 'noto' && e.images[s]);
    const base = { name: e.label, texts: [e.label, tagLine(e.label, e.tags)] as [string, string], kind: 'emoji' as const, group: e.group, key: e.hexcode };
    for (const style of [...TRAIN_STYLES, HELD_OUT_STYLE] as EmojiStyle[]) {
      const from = e.images[style];
      if (!from) continue;
      const part = style === HELD_OUT_STYLE ? 'heldout' : val && style === 'noto' ? 'val' : 'clip';
      jobs.push({ from, png: img(style, e.hexcode), variants: part === 'clip' ? o.variants : [], item: { ...base, style }, part });
    }
  }
  for (const c of clipart.items) {
    const key = path.relative(path.join(src, ART_PATHS.clipart), c.file);
    const held = share(o.seed, `clipart:${key}`) < o.clipartHeldOutShare;
    const item = { name: c.title, texts: [c.title, tagLine(c.title, c.keywords)] as [string, string], kind: 'clipart' as const, style: 'openclipart', group: c.category.split('/')[0], key };
    // No renderings for clip art: its titles are noisy, and several copies of each would crowd the emoji out of CLIP's steps.
    jobs.push({ from: c.file, png: img('openclipart', key.replace(/\.svg$/i, '')), variants: [], item, part: held ? 'clipartHeldout' : 'clip' });
  }

  onStep?.(`rendering ${jobs.length} images at ${o.size} px (kept between runs)`);
  const started = Date.now();
  // Renderings kept from an earlier run take no time: the time left is reckoned on the others.
  let kept = 0;
  await pool(
    jobs,
    async (j, i) => {
      kept += fs.existsSync(j.png) ? 1 : 0;
      try {
        await renderArt(j.from, j.png, o.size);
        for (const v of j.variants) await renderVariant(j.png, j.png.replace(/\.png$/, `.${v}.png`), v, o.size, o.seed, i);
      } catch (err) {
        unrendered[j.from] = (err as Error).message.split('\n')[0];
      }
    },
    (done) => onStep?.(`${done} / ${jobs.length} rendered, about ${Math.ceil((((Date.now() - started) / Math.max(1, done - kept)) * (jobs.length - done)) / 60000)} min left`),
  );
  for (const j of jobs) {
    if (unrendered[j.from]) continue;
    splits[j.part].push({ ...j.item, image: j.png });
    for (const v of j.variants) splits[j.part].push({ ...j.item, style: `${j.item.style}+${v}`, image: j.png.replace(/\.png$/, `.${v}.png`) });
  }
  // A drawing saved twice with different bytes (other metadata, re-exported) renders the same: a
  // held-out one that looks like a training drawing, or like an earlier held-out one, is dropped.
  const looks = (it: ArtItem) => crypto.createHash('sha256').update(fs.readFileSync(it.image)).digest('hex');
  const seen = new Set(splits.clip.filter((c) => c.kind === 'clipart').map(looks));
  const heldClipart = splits.clipartHeldout.length;
  const newLooking: ArtItem[] = [];
  for (const it of splits.clipartHeldout) {
    const look = looks(it);
    if (seen.has(look)) continue;
    seen.add(look);
    newLooking.push(it);
  }
  splits.clipartHeldout = newLooking;
  const corpus = [...new Set([...emoji.map((e) => e.label), ...splits.clip.filter((c) => c.kind === 'clipart').map((c) => c.name)])];
  for (const [part, file] of Object.entries(PARTS))
    fs.writeFileSync(path.join(dir, file), splits[part as keyof ArtSplits].map((it) => JSON.stringify({ ...it, image: path.relative(dir, it.image) })).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'corpus.txt'), corpus.join('\n') + '\n');
  const images: Record<string, number> = {};
  for (const e of emoji) for (const s of Object.keys(e.images)) images[s] = (images[s] ?? 0) + 1;
  const summary: ArtDataSummary = {
    emoji: emoji.length,
    images,
    clipart: clipart.log,
    unrendered,
    sameLookingHeldOut: heldClipart - splits.clipartHeldout.length,
    parts: { clip: splits.clip.length, val: splits.val.length, heldout: splits.heldout.length, clipartHeldout: splits.clipartHeldout.length },
    corpus: corpus.length,
  };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
  return summary;
}

/** One split of a written data set, image paths made absolute. */
export function readArtPart(dir: string, part: keyof ArtSplits): ArtItem[] {
  const file = path.join(dir, PARTS[part]);
  if (!fs.existsSync(file)) throw new Error(`ArtWorld: ${file} does not exist (run \`altbridge art build\`)`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const it = JSON.parse(l) as ArtItem;
      return { ...it, image: path.join(dir, it.image) };
    });
}
