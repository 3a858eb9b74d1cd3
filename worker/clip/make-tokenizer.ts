/**
 * Trains a CLIP-style byte-level BPE tokenizer on caption text and writes it in the layout of a
 * Hugging Face CLIP export. Real CLIP tokenizers cannot be downloaded here, so tests and small
 * bundles use these, loaded by the same code (tokenizer.ts) as a real CLIP model folder.
 *
 * As CLIP: text is normalised (NFC, whitespace runs to one space, lower case) and split by CLIP's
 * regex into words, each word's UTF-8 bytes written in GPT-2's byte-to-unicode alphabet, its last
 * symbol carrying "</w>". Training repeatedly merges the most frequent adjacent pair (ties: the
 * pair of smaller ids), keeping pair counts and the words holding each pair up to date instead of
 * recounting, with a lazy max-heap over the counts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tokenizer } from '@huggingface/tokenizers';
import { CLIP_BOS, CLIP_EOS, CLIP_MAX_LENGTH } from './tokenizer';

const EOW = '</w>';
/** CLIP's word pattern as HF's converter writes it. */
const CLIP_SPLIT = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

export interface ClipTokenizerJson {
  added_tokens: { id: number; content: string }[];
  model: { vocab: Record<string, number>; merges: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** GPT-2's byte-to-unicode alphabet in CLIP's vocabulary order: printable bytes stand for themselves, the others move to U+0100 onwards. */
function byteAlphabet(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
  const bytes = [...Array(256).keys()];
  const moved = bytes.filter((b) => !printable(b));
  return [...bytes.filter(printable).map((b) => String.fromCharCode(b)), ...moved.map((_, i) => String.fromCharCode(256 + i))];
}

export function makeClipTokenizer(corpus: Iterable<string>, opts: { vocabSize: number }): ClipTokenizerJson {
  const alphabet = byteAlphabet();
  const vocab = [...alphabet, ...alphabet.map((c) => c + EOW)];
  if (!(opts.vocabSize >= vocab.length + 2 && opts.vocabSize <= KEY))
    throw new Error(`CLIP tokenizer: vocabSize ${opts.vocabSize} is not between ${vocab.length + 2} (the byte and special tokens) and ${KEY}`);
  const merges = learnMerges(countWords(corpus, vocab), vocab, opts.vocabSize - 2);
  return clipTokenizerJson(vocab, merges);
}

/** Writes tokenizer.json plus the vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json of an HF CLIP export. */
export function writeClipTokenizer(dir: string, corpus: Iterable<string>, opts: { vocabSize: number }): ClipTokenizerJson {
  const tok = makeClipTokenizer(corpus, opts);
  const special = { bos_token: CLIP_BOS, eos_token: CLIP_EOS, pad_token: CLIP_EOS, unk_token: CLIP_EOS };
  const config = {
    add_prefix_space: false,
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    errors: 'replace',
    model_max_length: CLIP_MAX_LENGTH,
    tokenizer_class: 'CLIPTokenizer',
    ...special,
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), tokenizerJsonText(tok));
  fs.writeFileSync(path.join(dir, 'vocab.json'), vocabText(tok.model.vocab, '\n  ', '\n'));
  fs.writeFileSync(path.join(dir, 'merges.txt'), ['#version: 0.2', ...tok.model.merges, ''].join('\n'));
  fs.writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(special, null, 2));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
  return tok;
}

/** tokenizer.json text, two-space indented as HF writes it, vocab in id order (a JS object would list "0".."9" first). */
export function tokenizerJsonText(tok: ClipTokenizerJson): string {
  const hole = JSON.stringify('\u0000vocab');
  const text = JSON.stringify({ ...tok, model: { ...tok.model, vocab: JSON.parse(hole) } }, null, 2);
  return text.replace(hole, () => vocabText(tok.model.vocab, '\n      ', '\n    '));
}

function vocabText(vocab: Record<string, number>, indent: string, close: string): string {
  const entries = Object.entries(vocab).sort((a, b) => a[1] - b[1]);
  return `{${entries.map(([t, id]) => `${indent}${JSON.stringify(t)}: ${id}`).join(',')}${close}}`;
}

/** The tokenizer.json of HF's CLIP export (clip-vit-* on the Hub) for a vocabulary and merge list. */
function clipTokenizerJson(vocab: string[], merges: string[]): ClipTokenizerJson {
  const bos = vocab.length;
  const eos = bos + 1;
  const added = (id: number, content: string, normalized: boolean) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [added(bos, CLIP_BOS, true), added(eos, CLIP_EOS, false)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: [CLIP_EOS, eos], cls: [CLIP_BOS, bos], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: CLIP_EOS,
      continuing_subword_prefix: '',
      end_of_word_suffix: EOW,
      fuse_unk: false,
      vocab: Object.fromEntries([...vocab, CLIP_BOS, CLIP_EOS].map((t, i) => [t, i])),
      merges,
    },
  };
}

interface Word {
  syms: number[];
  count: number;
}

/**
 * Distinct words of the corpus as base-token ids, normalised and split by the library's own CLIP
 * normaliser and pre-tokeniser (the loader's). The pre-tokeniser costs ~2 µs a word, so it runs
 * once per distinct space-separated chunk: no CLIP word spans a space, so splitting chunks alone
 * gives the same words.
 */
function countWords(corpus: Iterable<string>, base: string[]): Word[] {
  const tk = new Tokenizer(clipTokenizerJson(base, []), {});
  const chunks = new Map<string, number>();
  for (const text of corpus) {
    for (const c of tk.normalizer!(text).split(' ')) chunks.set(c, (chunks.get(c) ?? 0) + 1);
  }
  const counts = new Map<string, number>();
  for (const [chunk, n] of chunks) {
    for (const w of tk.pre_tokenizer!(chunk)) counts.set(w, (counts.get(w) ?? 0) + n);
  }
  const id = new Map(base.map((t, i) => [t, i]));
  return [...counts].map(([w, count]) => {
    const syms = Array.from(w, (c) => id.get(c)!);
    syms[syms.length - 1] = id.get(w.slice(-1) + EOW)!;
    return { syms, count };
  });
}

const KEY = 2 ** 21; // pair key a·KEY + b orders pairs by (a, b); ids stay below it
const key = (a: number, b: number) => a * KEY + b;

/** BPE merges, appending each new token to `vocab` until it holds `size` tokens or no pair is left. */
function learnMerges(words: Word[], vocab: string[], size: number): string[] {
  const ids = new Map(vocab.map((t, i) => [t, i]));
  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const bump = (pair: number, delta: number, w: number) => {
    const c = (counts.get(pair) ?? 0) + delta;
    if (c === 0) counts.delete(pair);
    else counts.set(pair, c);
    if (delta > 0) {
      let s = where.get(pair);
      if (!s) where.set(pair, (s = new Set()));
      s.add(w);
    }
  };
  words.forEach(({ syms, count }, w) => {
    for (let i = 0; i + 1 < syms.length; i++) bump(key(syms[i], syms[i + 1]), count, w);
  });
  const heap = new PairHeap();
  for (const [pair, c] of counts) heap.push(c, pair);

  const merges: string[] = [];
  while (vocab.length < size && heap.size > 0) {
    const [stored, pair] = heap.pop();
    const c = counts.get(pair) ?? 0;
    if (c !== stored) {
      if (c > 0) heap.push(c, pair); // a stale count: requeue at its true one
      continue;
    }
    const a = Math.floor(pair / KEY);
    const b = pair % KEY;
    const token = vocab[a] + vocab[b];
    let m = ids.get(token); // another merge may have made this string already
    if (m === undefined) {
      m = vocab.push(token) - 1;
      ids.set(token, m);
    }
    merges.push(`${vocab[a]} ${vocab[b]}`);
    const grown = new Set<number>();
    let w = 0;
    const change = (p: number, d: number) => {
      bump(p, d * words[w].count, w);
      if (d > 0) grown.add(p);
    };
    for (w of where.get(pair)!) mergeWord(words[w].syms, a, b, m, change);
    where.delete(pair);
    for (const p of grown) if (counts.has(p)) heap.push(counts.get(p)!, p);
  }
  return merges;
}

/** Replaces every (a, b) in the word, left to right, by m in place, reporting each pair occurrence lost (-1) or made (+1). */
function mergeWord(syms: number[], a: number, b: number, m: number, change: (pair: number, delta: number) => void): void {
  let j = 0; // write index; j <= i, so unread symbols are never overwritten
  for (let i = 0; i < syms.length; i++, j++) {
    if (syms[i] !== a || syms[i + 1] !== b) {
      syms[j] = syms[i];
      continue;
    }
    if (j > 0) {
      change(key(syms[j - 1], a), -1);
      change(key(syms[j - 1], m), 1);
    }
    change(key(a, b), -1);
    if (i + 2 < syms.length) {
      change(key(b, syms[i + 2]), -1);
      change(key(m, syms[i + 2]), 1);
    }
    syms[j] = m;
    i++;
  }
  syms.length = j;
}

/** Max-heap of (count, pair): the highest count first, then the smaller pair key. */
class PairHeap {
  private counts: number[] = [];
  private pairs: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, pair: number): void {
    this.counts.push(count);
    this.pairs.push(pair);
    let i = this.counts.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.pairs[0]];
    const last = this.counts.length - 1;
    this.swap(0, last);
    this.counts.pop();
    this.pairs.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < last && this.before(l, best)) best = l;
      if (r < last && this.before(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top;
  }

  private before(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.pairs[i] < this.pairs[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.pairs[i], this.pairs[j]] = [this.pairs[j], this.pairs[i]];
  }
}
