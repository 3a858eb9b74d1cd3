/**
 * The caption decoder: a causal transformer over [prefix tokens | soft prompts | caption tokens],
 * where the prefix is projected from a conditioning embedding (the bridged CLIP embedding).
 * Three graphs come from this one definition: teacher-forced training over whole captions, and for
 * generation a prefill (prefix + start token) and a one-position step over a key/value cache.
 */
import { Graph, T } from './graph';
import { crossEntropy } from './losses';
import * as L from './layers';
import * as o from './ops';

export interface DecoderConfig {
  vocab: number;
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
  /** Caption positions (tokens fed, including the start token). */
  maxLen: number;
  /** Conditioning size; 0 for an unconditioned language model. */
  condDim: number;
  prefixTokens: number;
  prefixHidden: number;
  softPrompts: number;
}

export const prefixLength = (c: DecoderConfig) => (c.condDim > 0 ? c.prefixTokens : 0) + c.softPrompts;

const positions = (g: Graph, c: DecoderConfig) => g.param('decoder.pos.weight', [c.maxLen + prefixLength(c), c.width], { kind: 'normal', std: 0.01 }, false);

/** [prefix | soft prompts | embedded tokens] + positions from 0, for tokens [B, n]. */
function embedFromStart(g: Graph, c: DecoderConfig, tokens: T): T {
  const parts: T[] = [];
  if (c.condDim > 0) {
    const cond = g.input('cond', g.float, ['B', c.condDim]);
    parts.push(L.prefix(cond, 'decoder.prefix', c.prefixTokens, c.width, c.prefixHidden));
  }
  if (c.softPrompts > 0) parts.push(L.softPrompt(tokens, 'decoder.prompt', c.softPrompts, c.width));
  parts.push(L.embedding(tokens, 'decoder.tok', c.vocab, c.width));
  const x = parts.length > 1 ? o.concat(parts, 1) : parts[0];
  const len = prefixLength(c) + (tokens.shape[1] as number);
  const table = positions(g, c);
  return o.add(x, len === c.maxLen + prefixLength(c) ? table : o.slice(table, 0, 0, len));
}

function blocks(x: T, c: DecoderConfig, past?: L.KV[]): { y: T; kv: L.KV[] } {
  const kv: L.KV[] = [];
  for (let i = 0; i < c.layers; i++) {
    const b = L.transformerBlockKV(x, `decoder.block${i}`, { heads: c.heads, causal: true, mlpRatio: c.mlpRatio }, past?.[i]);
    x = b.y;
    kv.push(b.kv);
  }
  return { y: x, kv };
}

/** Final norm and vocabulary projection of x [..., width] -> [N, vocab]. */
const head = (x: T, c: DecoderConfig): T => L.linear(o.reshape(L.layerNorm(x, 'decoder.ln'), [-1, c.width]), 'decoder.head', c.vocab, false);

/** Logits [B * maxLen, vocab] for each caption position, from graph inputs `tokens` (and `cond`). */
export function decoderLogits(g: Graph, c: DecoderConfig): T {
  const tokens = g.input('tokens', 'int64', ['B', c.maxLen]);
  const x = blocks(embedFromStart(g, c, tokens), c).y;
  const p = prefixLength(c);
  return head(p > 0 ? o.slice(x, 1, p, p + c.maxLen) : x, c);
}

/** Teacher-forced training: `targets` [B, maxLen] are the next tokens, `ignoreIndex` on padding. */
export function decoderTrain(c: DecoderConfig, opts: { smoothing: number; ignoreIndex: number }) {
  return (g: Graph) => {
    const logits = decoderLogits(g, c);
    const targets = g.input('targets', 'int64', ['B', c.maxLen]);
    const ce = crossEntropy(logits, o.reshape(targets, [-1]), opts);
    return { loss: ce.loss, correct: ce.correct, count: ce.count };
  };
}

/** Logits for every position (teacher forcing at inference, evaluation). */
export const decoderInfer = (c: DecoderConfig) => (g: Graph) => ({ logits: decoderLogits(g, c) });

/** Cache I/O names of layer i. */
export const cacheName = {
  past: (i: number, kv: 'k' | 'v') => `past.${i}.${kv}`,
  present: (i: number, kv: 'k' | 'v') => `present.${i}.${kv}`,
};

function withCache(logits: T, kv: L.KV[]): Record<string, T> {
  const out: Record<string, T> = { logprobs: o.logSoftmax(logits, -1) };
  kv.forEach((c, i) => {
    out[cacheName.present(i, 'k')] = c.k;
    out[cacheName.present(i, 'v')] = c.v;
  });
  return out;
}

/** Generation start: `cond` (when conditioned) and the start token `tokens` [B, 1] -> next-token log-probs and the cache. */
export const decoderPrefill = (c: DecoderConfig) => (g: Graph) => {
  const tokens = g.input('tokens', 'int64', ['B', 1]);
  const { y, kv } = blocks(embedFromStart(g, c, tokens), c);
  const p = prefixLength(c);
  return withCache(head(o.slice(y, 1, p, p + 1), c), kv);
};

/** One generation step: `tokens` [B, 1] at `position` (int64 [1], index into the positions) over the cache. */
export const decoderStep = (c: DecoderConfig) => (g: Graph) => {
  const tokens = g.input('tokens', 'int64', ['B', 1]);
  const position = g.input('position', 'int64', [1]);
  const dh = c.width / c.heads;
  const past = Array.from({ length: c.layers }, (_, i) => ({
    k: g.input(cacheName.past(i, 'k'), g.float, ['B', c.heads, dh, 'L']),
    v: g.input(cacheName.past(i, 'v'), g.float, ['B', c.heads, 'L', dh]),
  }));
  const x = o.add(L.embedding(tokens, 'decoder.tok', c.vocab, c.width), o.gather(positions(g, c), position));
  const { y, kv } = blocks(x, c, past);
  return withCache(head(y, c), kv);
};
