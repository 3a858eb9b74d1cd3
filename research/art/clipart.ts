/**
 * Debian's openclipart-svg package (public domain clip art) read into items with human-written
 * names, for a captioning harness: each SVG's RDF metadata gives a title, keywords and an author,
 * and the folder under svg/ its category (`food/desserts`).
 *
 * The metadata is parsed with regular expressions, not an XML parser: every file in the package
 * writes the same Inkscape-style block (`<cc:Work>` with `<dc:title>`, `<dc:subject><rdf:Bag>`,
 * `<dc:creator><cc:Agent><dc:title>`), and a broken drawing elsewhere in a file must not cost its title.
 */
import { createHash } from 'crypto';
import { readdirSync, readFileSync, statSync } from 'fs';
import { basename, join, relative, sep } from 'path';

export interface ClipArt {
  /** Absolute path of the SVG. */
  file: string;
  /** Folder path under svg/, e.g. `food/desserts`. */
  category: string;
  /** Cleaned: lower case, words separated by single spaces. */
  title: string;
  /** Cleaned like titles, deduplicated, without generic ones ('clip art', 'svg', ...). */
  keywords: string[];
  /** The title as written (or the file name, where the metadata has none). */
  rawTitle: string;
}

export interface CleaningLog {
  files: number;
  kept: number;
  /** Reason -> count. */
  dropped: Record<string, number>;
  /** What cleaning removed from kept titles -> count. */
  changed: Record<string, number>;
  /** Up to 20, the first of each reason and change kind first. */
  examples: { raw: string; cleaned: string | null; reason?: string }[];
}

/** Files this large are skipped: they are also too slow to render. */
const MAX_BYTES = 2 * 1024 * 1024;
/** Longer titles are descriptions, not names. */
const MAX_WORDS = 8;
const MAX_EXAMPLES = 20;

/** Keywords that say nothing about the picture (the library's own tags). */
const GENERIC_KEYWORDS = new Set([
  'clip art',
  'clipart',
  'clip arts',
  'media',
  'public domain',
  'svg',
  'image',
  'images',
  'png',
  'openclipart',
  'open clip art',
  'open clip art library',
  'externalsource',
  'unsorted',
]);

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Text of an element's content: tags removed, entities decoded, whitespace collapsed. */
function text(inner: string): string {
  return decodeEntities(inner.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first `<tag>…</tag>` in `s` (not self-closed), as its inner text; null when there is none. */
function element(s: string, tag: string): string | null {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(s);
  return m ? m[1] : null;
}

/**
 * Title, keywords and author from an SVG's RDF metadata. The title is the `<dc:title>` that belongs to
 * the `<cc:Work>` itself: the publisher's, creator's and rights holder's titles sit inside
 * `<cc:Agent>` elements, which are cut out first (the title is not always written before them).
 */
export function parseClipArtMeta(svg: string): { title: string | null; keywords: string[]; author: string | null } {
  const work = element(svg, 'cc:Work');
  if (work === null) return { title: null, keywords: [], author: null };
  const own = work.replace(/<cc:Agent(?:\s[^>]*)?>[\s\S]*?<\/cc:Agent>/g, '');
  const rawTitle = element(own, 'dc:title');
  const title = rawTitle === null ? null : text(rawTitle) || null;
  const subject = element(work, 'dc:subject') ?? '';
  const keywords = [...subject.matchAll(/<rdf:li(?:\s[^>]*)?>([\s\S]*?)<\/rdf:li>/g)].map((m) => text(m[1])).filter((k) => k !== '');
  const creator = element(work, 'dc:creator');
  const agent = creator === null ? null : element(creator, 'dc:title');
  // An e-mail or web address in angle brackets after the name is no part of it.
  const author =
    agent === null
      ? null
      : text(agent)
          .replace(/<[^>]*>?/g, '')
          .trim() || null;
  return { title, keywords, author };
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An author's name as a pattern: case and the separators between its words are free. */
function authorPattern(author: string): string | null {
  const words = author
    .toLowerCase()
    .split(/[^\p{L}\p{N}.]+/u)
    .filter((w) => w !== '');
  return words.length ? words.map(escapeRegex).join('[\\s_.-]*') : null;
}

/**
 * A file name's stem without the author the library appended when it named the file: the stem is
 * `<title>_<author>` lower-cased, cut at 24 characters, so the author's words may be cut short
 * (`apple_bitten_dan_gerhard`, `tacchino_architetto_fran`, `gelato_all_39_italiana_a`), and an address
 * once written after the name may follow it (`wing_mitchell_johnson_si`). The title part must keep a word.
 */
function stripFileAuthor(stem: string, author: string): string {
  const words = author
    .toLowerCase()
    .split(/[^\p{L}\p{N}.]+/u)
    .filter((w) => w !== '');
  // A hyphen inside the author's name is written too ("pear_jean-victor_balin"): both separate words.
  const parts = stem.split(/[_-]/);
  for (let i = 1; i < parts.length; i++) {
    const tail = parts.slice(i);
    const full = tail.length >= words.length && words.every((w, k) => tail[k] === w);
    // All tail words but the last equal the author's; the last may be cut short.
    const cut = tail.length <= words.length && tail.every((t, k) => t !== '' && (k === tail.length - 1 ? words[k].startsWith(t) : t === words[k]));
    if (full || cut) return stem.slice(0, parts.slice(0, i).join('_').length);
  }
  return stem;
}

/**
 * A raw title (or a file name, recognised by its extension) cleaned into lower-case words, with what
 * cleaning removed; or why it is dropped. Decisions, from reading the package's 8121 titles:
 * - "Clipart by Nicu Buculei - beer", "SVG Gradient Collection by Alan Horkan, 2004.": the author's
 *   name goes, with a "by" before it and a "Clipart by … -" prefix; a title that was only the author's
 *   name is dropped.
 * - File names (`apple_bitten_dan_gerhard_01.svg`, `bowl_chaspo_.svg`, `pear_jean-victor_balin_01r.svg`,
 *   `closed_box_juliane_krug_r.svg`): the extension, the `_01`/`_01r`/`_r`/`_` suffix and the
 *   (possibly cut) author go.
 * - Numbers and versions go only at the end ("magnifying glass 4", "Tigre05", "bee2", "sheep-md-v0.1"):
 *   inside a title they are content ("Dog 01 Drawn With Straight Lines", "circles 4 pattern"); glued
 *   digits stay after one or two letters, where they are a name ("mp3", "x11", "b52").
 * - "(B and W)" and a final "bw", the library's mark of a black-and-white version, become "black and white".
 * - Underscores, hyphens and other punctuation become spaces (an apostrophe inside a word stays:
 *   "all'italiana"); camelCase is split where two lower-case letters meet an upper-case one
 *   ("BypassLopper", "MatieresNocivesIrritantes"; "iPod", "VHS" stay whole).
 * - Dropped: a title left with no Latin letter, more than 8 words (a description, not a name), or
 *   left with an undecoded entity ("L&Atilde;&copy;zard", encoded twice by its exporter).
 * Titles in other languages (many Italian ones: "Tazza di caffe") are kept: telling them from English
 * needs a dictionary this project does not ship, and their file names are no better.
 */
export function cleanTitle(raw: string, author: string | null): { title: string; changes: string[] } | { dropped: string } {
  const changes = new Set<string>();
  const apply = (s: string, re: RegExp, by: string, change: string): string => {
    const next = s.replace(re, by);
    if (next !== s) changes.add(change);
    return next;
  };
  let s = raw.trim();
  if (/&[a-z]+;/i.test(s)) return { dropped: 'garbled characters' };
  if (/@|https?:|www\./i.test(s)) return { dropped: 'an address, not a title' };
  const isFile = /\.(svgz?|png|jpe?g|gif)$/i.test(s);
  if (isFile) {
    s = apply(s, /\.[a-z]+$/i, '', 'file extension');
    s = apply(s, /_(?:\d+r?|r)?$/i, '', 'number suffix');
    if (author !== null) {
      const kept = stripFileAuthor(s.toLowerCase(), author).length;
      if (kept < s.length) {
        s = s.slice(0, kept);
        changes.add('author name');
        s = apply(s, /_(?:\d+r?|r)?$/i, '', 'number suffix');
      }
    }
  } else if (author !== null) {
    const name = authorPattern(author);
    if (name !== null) {
      const onlyName = new RegExp(`^\\s*${name}\\s*$`, 'iu');
      if (onlyName.test(s)) return { dropped: 'title is only an author name' };
      s = apply(s, new RegExp(`^clip\\s*art\\s+by\\s+${name}\\s*[-:]\\s*`, 'iu'), '', 'author name');
      s = apply(s, new RegExp(`(?:\\bby\\s+)?(?<![\\p{L}\\p{N}])${name}(?![\\p{L}\\p{N}])(?:\\s*,\\s*\\d{4}\\.?)?`, 'giu'), ' ', 'author name');
    }
  }
  s = apply(s, /\(\s*b\s*(?:and|&|\/)\s*w\s*\)|\bb(?:\s*[&/]\s*|_)w\b|[\s_-]bw$/gi, ' black and white ', 'b and w');
  s = apply(s, /_+/g, ' ', 'underscores');
  s = apply(s, /(?<=\p{L})-(?=\p{L})|\s-+|-+\s|^-+|-+$/gu, ' ', 'hyphens');
  s = apply(s, /(?<=\p{Ll}{2})(?=\p{Lu}\p{Ll}{2})/gu, ' ', 'camel case');
  s = apply(s, /(?!(?<=\p{L})'(?=\p{L}))[^\p{L}\p{N}\s.]|(?<!\d)\.|\.(?!\d)/gu, ' ', 'punctuation');
  s = s.replace(/\s+/g, ' ').trim();
  // Trailing numbers and versions, as long as a word is left before them.
  s = apply(s, /(?<=\p{L}.*)(?:\s+v(?:er(?:sion)?)?\s*\d+(?:\.\d+)*|\s+\d+(?:\.\d+)*[a-z]?|(?<=\p{L}{3})\d+)$/iu, '', 'number suffix');
  s = s.replace(/\s+/g, ' ').trim().toLowerCase();
  if (s === '') return { dropped: author !== null && !isFile ? 'title is only an author name' : 'no title' };
  if (!/[a-z]/.test(s.normalize('NFD'))) return { dropped: 'no latin letters' };
  if (s.split(' ').length > MAX_WORDS) return { dropped: 'too long' };
  return { title: s, changes: [...changes] };
}

/** A keyword normalised like a title, without removing numbers; '' when generic or without a letter. */
function cleanKeyword(raw: string, author: string | null): string {
  const k = raw
    .replace(/(?<=\p{Ll}{2})(?=\p{Lu}\p{Ll}{2})/gu, ' ')
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .trim()
    .toLowerCase();
  if (GENERIC_KEYWORDS.has(k) || !/\p{L}/u.test(k)) return '';
  if (
    author !== null &&
    k ===
      author
        .toLowerCase()
        .replace(/[^\p{L}\p{N}']+/gu, ' ')
        .trim()
  )
    return '';
  return k;
}

/** Every .svg under `dir`, recursively. */
function svgFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    // A link is followed (the package links drawings into a second category); readClipArt keeps one of each drawing.
    const st = e.isSymbolicLink() ? statSync(p, { throwIfNoEntry: false }) : e;
    if (st === undefined) return [];
    if (st.isDirectory()) return svgFiles(p);
    return st.isFile() && /\.svg$/i.test(e.name) ? [p] : [];
  });
}

/** Words of three letters or more, lower case: what a title and a file name are compared by. */
const words = (s: string): string[] =>
  s
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length >= 3);

/** A title shared by this many files is suspect of naming a collection, not a picture. */
const COLLECTION_MIN_FILES = 5;

/**
 * The clip art under `root` (the package's svg/ folder), sorted by file path, with a log of what
 * cleaning did. A title shared by 5 or more files whose cleaned words the file's name does not all repeat
 * names the collection ("Part of the Flat Icon Collection (…)", "Lemon SVG theme", "gramastar",
 * "AIGA_Symbol_Signs"), or was copied from another drawing ("Clipart by Nicu Buculei - contour_chipmunk"
 * on contour_bat.svg): the file name is used instead, as where the metadata has no title. A shared
 * title that the file name repeats ("Candy" on candy_02.svg) is the picture's.
 */
export function readClipArt(root: string): { items: ClipArt[]; log: CleaningLog } {
  const files = svgFiles(root).sort();
  const log: CleaningLog = { files: files.length, kept: 0, dropped: {}, changed: {}, examples: [] };
  const count = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);
  const seen = new Set<string>();
  const example = (kind: string, raw: string, cleaned: string | null, reason?: string): void => {
    // The first example of each reason and change first, then any, up to 20.
    if (log.examples.length >= MAX_EXAMPLES || (seen.has(kind) && log.examples.length >= MAX_EXAMPLES / 2)) return;
    seen.add(kind);
    log.examples.push(reason === undefined ? { raw, cleaned } : { raw, cleaned, reason });
  };
  // The package links some drawings into a second category and copies others: one file of each
  // drawing is kept (the first by path), so that no drawing is in two splits.
  const drawings = new Set<string>();
  const metas = files.map((file) => {
    try {
      if (statSync(file).size > MAX_BYTES) return 'too large';
      const bytes = readFileSync(file);
      const hash = createHash('sha256').update(bytes).digest('hex');
      if (drawings.has(hash)) return 'same drawing as another file';
      drawings.add(hash);
      return parseClipArtMeta(bytes.toString('utf8'));
    } catch {
      return 'unreadable';
    }
  });
  const authors = [...new Set(metas.flatMap((m) => (typeof m !== 'string' && m.author !== null ? [m.author] : [])))].sort();
  const shared = new Map<string, number>();
  for (const m of metas) if (typeof m !== 'string' && m.title !== null) shared.set(m.title, (shared.get(m.title) ?? 0) + 1);

  const items: ClipArt[] = [];
  files.forEach((file, i) => {
    const meta = metas[i];
    const name = basename(file);
    if (typeof meta === 'string') {
      count(log.dropped, meta);
      example(meta, name, null, meta);
      return;
    }
    const stem = words(name.replace(/\.[^.]*$/, ''));
    const own = meta.title === null ? null : cleanTitle(meta.title, meta.author);
    const collection = own !== null && (shared.get(meta.title ?? '') ?? 0) >= COLLECTION_MIN_FILES && !('title' in own && words(own.title).every((w) => stem.includes(w)));
    const rawTitle = meta.title === null || collection ? name : meta.title;
    // A file without a creator may still carry an author's name: any author of the library's.
    const author = meta.author ?? (rawTitle === name ? authors.find((a) => stripFileAuthor(name.toLowerCase(), a) !== name.toLowerCase()) : undefined) ?? null;
    const cleaned = cleanTitle(rawTitle, author);
    if ('dropped' in cleaned) {
      count(log.dropped, cleaned.dropped);
      example(cleaned.dropped, rawTitle, null, cleaned.dropped);
      return;
    }
    const changes = collection ? ['collection title', ...cleaned.changes] : cleaned.changes;
    for (const c of changes) count(log.changed, c);
    if (changes.length) example(changes.join('+'), collection ? `${meta.title ?? ''} -> ${name}` : rawTitle, cleaned.title);
    const keywords = [...new Set(meta.keywords.map((k) => cleanKeyword(k, meta.author)).filter((k) => k !== ''))];
    const category = relative(root, join(file, '..')).split(sep).join('/');
    items.push({ file, category, title: cleaned.title, keywords, rawTitle });
  });
  log.kept = items.length;
  return { items, log };
}
