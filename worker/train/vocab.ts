/**
 * The decoder's vocabulary: CLIP BPE ids restricted to those a corpus uses, so the output layer
 * stays small. Decoder id 0 is padding (ignored by the loss), 1 the start and 2 the end token, then
 * the corpus's tokens in CLIP id order. A fine-tuning corpus with new tokens extends it by
 * appending them, so every existing id keeps its meaning and its trained rows (`extendVocab`,
 * `resizeDecoder`).
 */
import { ClipTokenizer } from '../clip/tokenizer';
import { DecoderConfig } from '../graph/decoder';
import { Rng } from './rng';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

/** Decoder id -> tokenizer id (padding maps to the tokenizer's pad). */
export type Vocab = number[];

export function buildVocab(tokenized: number[][], tok: ClipTokenizer): Vocab {
  const used = new Set<number>();
  for (const t of tokenized) for (const id of t) used.add(id);
  return [tok.pad, tok.bos, tok.eos, ...[...used].sort((a, b) => a - b)];
}

/** The vocabulary grown by the tokens of `tokenized` it lacks (appended in CLIP id order). */
export function extendVocab(vocab: Vocab, tokenized: number[][]): Vocab {
  const known = new Set(vocab.slice(3));
  const added = new Set<number>();
  for (const t of tokenized) for (const id of t) if (!known.has(id)) added.add(id);
  return [...vocab, ...[...added].sort((a, b) => a - b)];
}

/** Captions as decoder ids; a token the vocabulary lacks is an error naming the caption. */
export function encodeCaptions(tokenized: number[][], vocab: Vocab, captions: string[]): number[][] {
  const index = new Map(vocab.slice(3).map((id, i) => [id, i + 3]));
  return tokenized.map((t, k) =>
    t.map((id) => {
      const d = index.get(id);
      if (d === undefined) throw new Error(`decoder vocabulary lacks token ${id} of "${captions[k]}" (extend it: extendVocab)`);
      return d;
    }),
  );
}

/** Decoder parameters for a larger vocabulary: trained rows kept, new rows of the token table and head drawn like at init. */
export function resizeDecoder(params: Map<string, Float32Array>, cfg: DecoderConfig, vocab: number, seed: number): Map<string, Float32Array> {
  if (vocab < cfg.vocab) throw new Error('decoder vocabulary can only grow');
  const out = new Map(params);
  const rng = new Rng(seed, 77);
  const tok = params.get('decoder.tok.weight')!;
  const grownTok = new Float32Array(vocab * cfg.width);
  grownTok.set(tok);
  for (let i = tok.length; i < grownTok.length; i++) grownTok[i] = 0.02 * rng.normal();
  out.set('decoder.tok.weight', grownTok);
  // The head is [width, vocab]: each row grows at its end.
  const head = params.get('decoder.head.weight')!;
  const grownHead = new Float32Array(cfg.width * vocab);
  for (let r = 0; r < cfg.width; r++) {
    grownHead.set(head.subarray(r * cfg.vocab, (r + 1) * cfg.vocab), r * vocab);
    for (let c = cfg.vocab; c < vocab; c++) grownHead[r * vocab + c] = 0.02 * rng.normal();
  }
  out.set('decoder.head.weight', grownHead);
  return out;
}
