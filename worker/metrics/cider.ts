/**
 * CIDEr-D as pycocoevalcap's CiderScorer computes it: tf-idf n-gram vectors (n = 1..4) with
 * document frequencies from the evaluated set's references, candidate weights clipped by the
 * reference's, a Gaussian length penalty (sigma = 6), averaged over n and references, ×10.
 */
import { ngramCounts, ngramOrder } from './tokenize';

const MAX_N = 4;
const SIGMA = 6;

interface TfIdf {
  /** Per order n-1: n-gram → tf × idf. */
  vec: Map<string, number>[];
  norm: number[];
  /** CiderScorer's "length" is the number of bigrams (its `n == 1` test is on the 0-based order). */
  length: number;
}

/** Mean CIDEr-D over tokenised candidates, each against its own tokenised references. */
export function ciderD(candidates: string[][], references: string[][][]): number {
  const refCounts = references.map((refs) => refs.map((r) => ngramCounts(r, MAX_N)));
  const docFreq = new Map<string, number>();
  for (const refs of refCounts) {
    const grams = new Set(refs.flatMap((c) => [...c.keys()]));
    for (const gram of grams) docFreq.set(gram, (docFreq.get(gram) ?? 0) + 1);
  }
  const logImages = Math.log(references.length);
  const toVec = (counts: Map<string, number>): TfIdf => {
    const vec = Array.from({ length: MAX_N }, () => new Map<string, number>());
    const sq = new Array<number>(MAX_N).fill(0);
    let length = 0;
    for (const [gram, tf] of counts) {
      const order = ngramOrder(gram);
      // Unseen n-grams (df 0) get the same idf as df 1, as log(max(1, df)) gives.
      const weight = tf * (logImages - Math.log(Math.max(1, docFreq.get(gram) ?? 0)));
      vec[order - 1].set(gram, weight);
      sq[order - 1] += weight * weight;
      if (order === 2) length += tf;
    }
    return { vec, norm: sq.map(Math.sqrt), length };
  };
  let total = 0;
  candidates.forEach((cand, i) => {
    const hyp = toVec(ngramCounts(cand, MAX_N));
    let sum = 0;
    for (const ref of refCounts[i]) sum += similarity(hyp, toVec(ref));
    total += (sum / MAX_N / refCounts[i].length) * 10;
  });
  return total / candidates.length;
}

/** Sum over n of clipped cosine similarity, each scaled by the length penalty. */
function similarity(hyp: TfIdf, ref: TfIdf): number {
  const delta = hyp.length - ref.length;
  const penalty = Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
  let sum = 0;
  for (let k = 0; k < MAX_N; k++) {
    let dot = 0;
    for (const [gram, h] of hyp.vec[k]) {
      const r = ref.vec[k].get(gram) ?? 0;
      dot += Math.min(h, r) * r;
    }
    // An empty side leaves the (zero) dot product undivided, as pycocoevalcap's guard does.
    if (hyp.norm[k] !== 0 && ref.norm[k] !== 0) dot /= hyp.norm[k] * ref.norm[k];
    sum += dot * penalty;
  }
  return sum;
}
