/**
 * The demo task (also the trainer tests'): 64 short captions, each conditioned on its own random
 * vector, for a decoder to learn from scratch in seconds.
 */
import * as ort from 'onnxruntime-node';
import { DecoderConfig } from '../graph/decoder';
import { Rng } from './rng';
import { Dataset } from './trainer';

const COLOURS = ['red', 'green', 'blue', 'yellow'];
const SHAPES = ['circle', 'square', 'triangle', 'star'];
const RELATIONS = ['above', 'below', 'left of', 'right of'];

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

export interface Toy {
  lines: string[];
  words: string[];
  cfg: DecoderConfig;
  cond: Float32Array;
  data: Dataset;
}

export function toy(width = 64, layers = 2): Toy {
  const rng = new Rng(7);
  const set = new Set<string>();
  const pick = (a: string[]) => a[rng.int(a.length)];
  while (set.size < 64) set.add(`a ${pick(COLOURS)} ${pick(SHAPES)} ${pick(RELATIONS)} a ${pick(COLOURS)} ${pick(SHAPES)}`);
  const lines = [...set];
  const words = ['<pad>', '<bos>', '<eos>', ...new Set(lines.flatMap((l) => l.split(' ')))];
  const id = new Map(words.map((w, i) => [w, i]));
  const maxLen = 10;
  const cfg: DecoderConfig = {
    vocab: words.length,
    width,
    layers,
    heads: 4,
    mlpRatio: 4,
    maxLen,
    condDim: 16,
    prefixTokens: 2,
    prefixHidden: 64,
    softPrompts: 2,
  };
  const condRng = new Rng(11);
  const cond = Float32Array.from({ length: 64 * cfg.condDim }, () => condRng.normal());
  const seqs = lines.map((l) => [BOS, ...l.split(' ').map((w) => id.get(w)!), EOS]);
  const data: Dataset = {
    size: 64,
    batch(idx) {
      const tokens = new BigInt64Array(idx.length * maxLen);
      const targets = new BigInt64Array(idx.length * maxLen);
      const c = new Float32Array(idx.length * cfg.condDim);
      idx.forEach((k, b) => {
        const s = seqs[k];
        for (let t = 0; t < s.length - 1; t++) {
          tokens[b * maxLen + t] = BigInt(s[t]);
          targets[b * maxLen + t] = BigInt(s[t + 1]);
        }
        c.set(cond.subarray(k * cfg.condDim, (k + 1) * cfg.condDim), b * cfg.condDim);
      });
      return {
        tokens: new ort.Tensor('int64', tokens, [idx.length, maxLen]),
        targets: new ort.Tensor('int64', targets, [idx.length, maxLen]),
        cond: new ort.Tensor('float32', c, [idx.length, cfg.condDim]),
      };
    },
    units: (idx) => Array.from(idx, (k) => seqs[k].length - 1).reduce((a, b) => a + b, 0),
  };
  return { lines, words, cfg, cond, data };
}
