/**
 * Physical lines of a corpus file, read in chunks so that a huge file (or one huge line) never
 * sits in memory whole. Each line is checked as UTF-8 on its own so an error can name its line.
 */
import { createReadStream } from 'fs';
import { TextDecoder } from 'util';

/** A corpus that cannot be used; the message names the file and what is wrong. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** A decoded line, or one skipped for being over the byte limit (its quote count lets CSV keep its place). */
export type Line = { no: number; text: string; bytes: number } | { no: number; tooLong: true; quotes: number };

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SNIFF = 8192;

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** NUL bytes, or many control characters / undecodable bytes, mean this is not a text file. */
function looksBinary(head: Buffer): boolean {
  if (head.includes(0)) return true;
  const text = lenient.decode(head);
  let odd = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd || c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d)) odd++;
  }
  return odd > text.length * 0.1;
}

function countQuotes(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(QUOTE, from); i !== -1 && i < to; i = buf.indexOf(QUOTE, i + 1)) n++;
  return n;
}

export async function* readLines(file: string, maxBytes: number): AsyncGenerator<Line> {
  let no = 0;
  let parts: Buffer[] = [];
  let size = 0; // bytes of the current line so far
  let skipping = false; // the current line is over maxBytes: its bytes are counted, not kept
  let quotes = 0;
  let first = true;

  const finish = (): Line => {
    no++;
    if (skipping) return { no, tooLong: true, quotes };
    let buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    if (buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
    try {
      return { no, text: strict.decode(buf), bytes: size };
    } catch {
      throw new CorpusError(`${file}: line ${no} is not valid UTF-8`);
    }
  };
  const append = (chunk: Buffer, from: number, to: number) => {
    size += to - from;
    if (!skipping && size > maxBytes) {
      skipping = true;
      quotes = parts.reduce((n, p) => n + countQuotes(p, 0, p.length), 0);
      parts = [];
    }
    if (skipping) quotes += countQuotes(chunk, from, to);
    else if (to > from) parts.push(chunk.subarray(from, to));
  };

  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (first && looksBinary(chunk.subarray(0, SNIFF))) throw new CorpusError(`${file} looks like a binary file, not caption text`);
      first = false;
      let pos = 0;
      for (let nl = chunk.indexOf(NL); nl !== -1; nl = chunk.indexOf(NL, pos)) {
        append(chunk, pos, nl);
        yield finish();
        parts = [];
        size = 0;
        skipping = false;
        quotes = 0;
        pos = nl + 1;
      }
      append(chunk, pos, chunk.length);
    }
  } catch (e) {
    if (e instanceof CorpusError) throw e;
    throw new CorpusError(`${file}: cannot be read (${(e as Error).message})`);
  } finally {
    stream.destroy();
  }
  if (first) throw new CorpusError(`${file} is empty`);
  if (size > 0 || skipping) yield finish();
}
