/**
 * ROUGE-L as pycocoevalcap's Rouge computes it: per candidate, the best LCS precision and the best
 * LCS recall over its references (taken independently), combined as F with beta = 1.2.
 */

const BETA = 1.2;

/** Mean ROUGE-L over tokenised candidates, each against its own tokenised references. */
export function rougeL(candidates: string[][], references: string[][][]): number {
  const total = candidates.reduce((sum, cand, i) => sum + rougeOne(cand, references[i]), 0);
  return total / candidates.length;
}

function rougeOne(cand: string[], refs: string[][]): number {
  let precision = 0;
  let recall = 0;
  for (const ref of refs) {
    const lcs = lcsLength(cand, ref);
    // An empty side has no common subsequence; 0 rather than 0/0 keeps the score finite.
    if (cand.length > 0) precision = Math.max(precision, lcs / cand.length);
    if (ref.length > 0) recall = Math.max(recall, lcs / ref.length);
  }
  if (precision === 0 || recall === 0) return 0;
  return ((1 + BETA ** 2) * precision * recall) / (recall + BETA ** 2 * precision);
}

/** Longest common subsequence length, one DP row at a time. */
function lcsLength(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = [0];
    for (let j = 1; j <= b.length; j++) row.push(x === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]));
    prev = row;
  }
  return prev[b.length];
}
