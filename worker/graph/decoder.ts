/**
 * The caption decoder: a causal transformer over [prefix tokens | soft prompts | caption tokens],
 * where the prefix is projected from a conditioning embedding (the bridged CLIP embedding).
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

/** Logits [B * maxLen, vocab] for each caption position, from graph inputs `tokens` (and `cond`). */
export function decoderLogits(g: Graph, c: DecoderConfig): T {
  const tokens = g.input('tokens', 'int64', ['B', c.maxLen]);
  const parts: T[] = [];
  if (c.condDim > 0) {
    const cond = g.input('cond', g.float, ['B', c.condDim]);
    parts.push(L.prefix(cond, 'decoder.prefix', c.prefixTokens, c.width, c.prefixHidden));
  }
  if (c.softPrompts > 0) parts.push(L.softPrompt(tokens, 'decoder.prompt', c.softPrompts, c.width));
  const pos = g.param('decoder.pos.weight', [c.maxLen + prefixLength(c), c.width], { kind: 'normal', std: 0.01 }, false);
  parts.push(L.embedding(tokens, 'decoder.tok', c.vocab, c.width));
  let x = o.add(parts.length > 1 ? o.concat(parts, 1) : parts[0], pos);
  for (let i = 0; i < c.layers; i++) {
    x = L.transformerBlock(x, `decoder.block${i}`, { heads: c.heads, causal: true, mlpRatio: c.mlpRatio });
  }
  const p = prefixLength(c);
  const caption = p > 0 ? o.slice(x, 1, p, p + c.maxLen) : x;
  return L.linear(o.reshape(L.layerNorm(caption, 'decoder.ln'), [-1, c.width]), 'decoder.head', c.vocab, false);
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

export const decoderInfer = (c: DecoderConfig) => (g: Graph) => ({ logits: decoderLogits(g, c) });
