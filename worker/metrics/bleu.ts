/**
 * Corpus BLEU-1..4 as pycocoevalcap's BleuScorer(option='closest') computes it: clipped n-gram
 * matches and guesses summed over the corpus, one brevity penalty from summed lengths.
 */
import { ngramCounts, ngramOrder } from './tokenize';

/** BleuScorer's epsilons: they keep zero counts finite, so they must be kept to match it. */
const TINY = 1e-15;
const SMALL = 1e-9;

/** BLEU-1..maxN for tokenised candidates, each against its own tokenised references. */
export function bleu(candidates: string[][], references: string[][][], maxN = 4): number[] {
  const correct = new Array<number>(maxN).fill(0);
  const guess = new Array<number>(maxN).fill(0);
  let testLen = 0;
  let refLen = 0;
  candidates.forEach((cand, i) => {
    const refs = references[i];
    testLen += cand.length;
    refLen += closestLength(
      cand.length,
      refs.map((r) => r.length),
    );
    const maxRef = new Map<string, number>();
    for (const ref of refs) {
      for (const [gram, count] of ngramCounts(ref, maxN)) maxRef.set(gram, Math.max(maxRef.get(gram) ?? 0, count));
    }
    for (const [gram, count] of ngramCounts(cand, maxN)) {
      correct[ngramOrder(gram) - 1] += Math.min(maxRef.get(gram) ?? 0, count);
    }
    for (let k = 0; k < maxN; k++) guess[k] += Math.max(0, cand.length - k);
  });
  const ratio = (testLen + TINY) / (refLen + SMALL);
  const brevity = ratio < 1 ? Math.exp(1 - 1 / ratio) : 1;
  const scores: number[] = [];
  for (let n = 1; n <= maxN; n++) {
    // Same operation order as BleuScorer so results agree to rounding.
    let product = 1;
    for (let k = 0; k < n; k++) product *= (correct[k] + TINY) / (guess[k] + SMALL);
    scores.push(product ** (1 / n) * brevity);
  }
  return scores;
}

/** The reference length closest to the candidate's; a tie goes to the shorter reference. */
function closestLength(testLen: number, refLens: number[]): number {
  return refLens.reduce((best, len) => {
    const d = Math.abs(len - testLen);
    const bestD = Math.abs(best - testLen);
    return d < bestD || (d === bestD && len < best) ? len : best;
  });
}
