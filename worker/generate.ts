/**
 * Greedy caption generation with a decoder inference graph (logits for every position of a
 * fixed-length window): one run per generated token, all captions of the batch together.
 */
import * as ort from 'onnxruntime-node';
import { DecoderConfig } from './graph/decoder';

export interface GreedyOptions {
  bos: number;
  eos: number;
}

/** Token ids of each caption (without start and end tokens), for `count` conditions in `cond`. */
export async function greedyDecode(session: ort.InferenceSession, cfg: DecoderConfig, cond: Float32Array, count: number, o: GreedyOptions): Promise<number[][]> {
  const len = cfg.maxLen;
  const tokens = new BigInt64Array(count * len);
  for (let b = 0; b < count; b++) tokens[b * len] = BigInt(o.bos);
  const out: number[][] = Array.from({ length: count }, () => []);
  const open = new Set(out.keys());
  for (let t = 0; t < len - 1 && open.size > 0; t++) {
    const feeds: Record<string, ort.Tensor> = { tokens: new ort.Tensor('int64', tokens, [count, len]) };
    if (cfg.condDim > 0) feeds.cond = new ort.Tensor('float32', cond, [count, cfg.condDim]);
    const logits = (await session.run(feeds)).logits.data as Float32Array;
    for (const b of [...open]) {
      const row = logits.subarray((b * len + t) * cfg.vocab, (b * len + t + 1) * cfg.vocab);
      let next = 0;
      for (let v = 1; v < row.length; v++) if (row[v] > row[next]) next = v;
      tokens[b * len + t + 1] = BigInt(next);
      if (next === o.eos) open.delete(b);
      else out[b].push(next);
    }
  }
  return out;
}
