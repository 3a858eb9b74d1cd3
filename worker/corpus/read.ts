/**
 * Caption corpus ingestion: admins upload their own caption text (plain lines, CSV/TSV or JSONL);
 * it is checked, normalised, de-duplicated, length-filtered and split into train / held-out.
 */
import { createHash } from 'crypto';
import { extname } from 'path';
import { CorpusError, Line, readLines } from './lines';

export { CorpusError };

export interface CorpusOptions {
  /** Default: from the file extension (.txt, .csv, .tsv, .jsonl / .ndjson). */
  format?: 'txt' | 'csv' | 'tsv' | 'jsonl';
  /** CSV/TSV header name or JSONL field holding the caption. */
  column?: string;
  minWords?: number;
  maxWords?: number;
  /** Longer lines (or CSV records) are skipped as 'line too long' without being held in memory. */
  maxLineBytes?: number;
  /** Fraction of captions held out for evaluation. */
  heldOut?: number;
}

export interface CorpusReport {
  /** Records read (data rows for CSV/TSV): always kept + the sum of dropped. */
  lines: number;
  kept: number;
  /** Drop reason -> count; only reasons that occurred. */
  dropped: Record<string, number>;
  train: number;
  heldOut: number;
}

type Options = Required<CorpusOptions>;

/** Raw caption text, or the reason the record was dropped before normalisation. */
type Field = { text: string } | { drop: string };

const EXTENSIONS: Record<string, Options['format']> = { '.txt': 'txt', '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

function withDefaults(file: string, o: CorpusOptions = {}): Options {
  const format = o.format ?? EXTENSIONS[extname(file).toLowerCase()];
  if (!format) throw new CorpusError(`${file}: cannot tell the format from the extension; pass format 'txt', 'csv', 'tsv' or 'jsonl'`);
  const r = { format, column: 'caption', minWords: 3, maxWords: 40, maxLineBytes: 64 * 1024, heldOut: 0.05, ...o };
  if (!(r.heldOut >= 0 && r.heldOut < 1)) throw new RangeError(`heldOut must be in [0, 1), got ${r.heldOut}`);
  if (!(r.minWords >= 1 && r.maxWords >= r.minWords)) throw new RangeError(`need 1 <= minWords <= maxWords, got ${r.minWords}..${r.maxWords}`);
  return r;
}

async function* txtFields(lines: AsyncIterable<Line>): AsyncGenerator<Field> {
  for await (const l of lines) yield 'text' in l ? { text: l.text } : { drop: 'line too long' };
}

async function* jsonlFields(file: string, lines: AsyncIterable<Line>, column: string): AsyncGenerator<Field> {
  for await (const l of lines) {
    if (!('text' in l)) yield { drop: 'line too long' };
    else if (l.text.trim() === '') yield { text: '' };
    else {
      let value: unknown;
      try {
        value = JSON.parse(l.text);
      } catch (e) {
        throw new CorpusError(`${file}: line ${l.no} is not valid JSON (${(e as Error).message})`);
      }
      const field = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[column] : undefined;
      if (typeof field !== 'string') throw new CorpusError(`${file}: line ${l.no} is not a JSON object with a string "${column}" field`);
      yield { text: field };
    }
  }
}

/** RFC 4180 parsing of one physical line into `fields`; returns whether a quoted field is still open. */
function parseLine(text: string, sep: string, fields: string[], inQuotes: boolean): boolean {
  let field = inQuotes ? (fields.pop() ?? '') + '\n' : '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else inQuotes = false;
    } else if (c === sep) {
      fields.push(field);
      field = '';
    } else if (c === '"' && field === '') inQuotes = true;
    else field += c;
  }
  fields.push(field);
  return inQuotes;
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}

async function* csvFields(file: string, lines: AsyncIterable<Line>, o: Options): AsyncGenerator<Field> {
  const sep = o.format === 'tsv' ? '\t' : ',';
  let column = -1; // index of the caption column once the header is read
  let fields: string[] = [];
  let inQuotes = false;
  let start = 0; // line where the current record began
  let bytes = 0;
  let tooLong = false;
  for await (const l of lines) {
    if (!inQuotes) {
      fields = [];
      start = l.no;
      bytes = 0;
      tooLong = false;
    }
    if ('text' in l) bytes += l.bytes;
    if (tooLong || !('text' in l) || bytes > o.maxLineBytes) {
      // A record over the limit is dropped, so its text is no longer kept (an unclosed quote would
      // otherwise grow it to the end of the file). Quotes toggle state, so their parity says
      // whether the line left a field open.
      tooLong = true;
      fields = [];
      inQuotes = inQuotes !== (('text' in l ? countQuotes(l.text) : l.quotes) % 2 === 1);
    } else inQuotes = parseLine(l.text, sep, fields, inQuotes);
    if (inQuotes) continue;
    if (column < 0) {
      if (tooLong) throw new CorpusError(`${file}: header row is longer than ${o.maxLineBytes} bytes`);
      const names = fields.map((f) => f.trim());
      column = names.findIndex((n) => n.toLowerCase() === o.column.toLowerCase());
      if (column < 0) throw new CorpusError(`${file}: no column "${o.column}" in the header; columns are: ${names.map((n) => `"${n}"`).join(', ')}`);
    } else yield tooLong ? { drop: 'line too long' } : { text: fields[column] ?? '' };
  }
  if (inQuotes) {
    const past = tooLong ? ` (its record runs on past the ${o.maxLineBytes}-byte limit to the end of the file)` : '';
    throw new CorpusError(`${file}: quoted field starting on line ${start} is never closed${past}`);
  }
  if (column < 0) throw new CorpusError(`${file} has no header row`);
}

function fieldsOf(file: string, o: Options): AsyncGenerator<Field> {
  const lines = readLines(file, o.maxLineBytes);
  if (o.format === 'txt') return txtFields(lines);
  if (o.format === 'jsonl') return jsonlFields(file, lines, o.column);
  return csvFields(file, lines, o);
}

/** Trimmed, whitespace collapsed, NFC so that visually equal captions de-duplicate. */
const normalise = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

/** Kept captions in file order, filling in `report` (all but the split) as it goes. */
async function* captions(file: string, o: Options, report: CorpusReport): AsyncGenerator<string> {
  const seen = new Set<string>();
  const drop = (reason: string) => (report.dropped[reason] = (report.dropped[reason] ?? 0) + 1);
  for await (const f of fieldsOf(file, o)) {
    report.lines++;
    if ('drop' in f) {
      drop(f.drop);
      continue;
    }
    const text = normalise(f.text);
    const words = text === '' ? 0 : text.split(' ').length;
    const key = text.toLowerCase();
    if (words === 0) drop('empty');
    else if (words < o.minWords) drop('too short');
    else if (words > o.maxWords) drop('too long');
    else if (seen.has(key)) drop('duplicate');
    else {
      seen.add(key);
      report.kept++;
      yield text;
    }
  }
  if (report.kept === 0) {
    const why = Object.entries(report.dropped)
      .map(([r, n]) => `${n} ${r}`)
      .join(', ');
    throw new CorpusError(`${file} has no usable caption (${report.lines} records${why ? `: ${why}` : ''}; need ${o.minWords}..${o.maxWords} words)`);
  }
}

/**
 * Whether a normalised caption belongs to the held-out side. It depends only on the caption
 * (case-insensitively, like de-duplication), so the split stays stable as the corpus grows.
 */
export function isHeldOut(caption: string, fraction: number): boolean {
  return createHash('sha256').update(caption.toLowerCase()).digest().readUInt32BE(0) / 2 ** 32 < fraction;
}

/** Every kept caption (both sides of the split; use isHeldOut to separate them) without loading the file whole. */
export async function* streamCaptions(file: string, o?: CorpusOptions): AsyncGenerator<string> {
  const report: CorpusReport = { lines: 0, kept: 0, dropped: {}, train: 0, heldOut: 0 };
  yield* captions(file, withDefaults(file, o), report);
}

export async function readCorpus(file: string, o?: CorpusOptions): Promise<{ train: string[]; heldOut: string[]; report: CorpusReport }> {
  const opts = withDefaults(file, o);
  const report: CorpusReport = { lines: 0, kept: 0, dropped: {}, train: 0, heldOut: 0 };
  const train: string[] = [];
  const heldOut: string[] = [];
  for await (const c of captions(file, opts, report)) (isHeldOut(c, opts.heldOut) ? heldOut : train).push(c);
  if (train.length === 0) throw new CorpusError(`${file}: all ${heldOut.length} usable caption(s) fell in the held-out split; the corpus is too small to train on`);
  report.train = train.length;
  report.heldOut = heldOut.length;
  return { train, heldOut, report };
}
