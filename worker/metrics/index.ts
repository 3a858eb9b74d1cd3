/** Caption metrics as pycocoevalcap computes them: COCO-style tokenisation, then BLEU-1..4, ROUGE-L and CIDEr-D. */
import { bleu } from './bleu';
import { ciderD } from './cider';
import { rougeL } from './rouge';
import { tokenize } from './tokenize';

export interface CaptionScores {
  bleu1: number;
  bleu2: number;
  bleu3: number;
  bleu4: number;
  rougeL: number;
  ciderD: number;
}

/** Scores candidates[i] against references[i] (raw text; tokenised here) over the whole set. */
export function scoreCaptions(candidates: string[], references: string[][]): CaptionScores {
  if (candidates.length !== references.length) {
    throw new Error(`scoreCaptions: ${candidates.length} candidates but ${references.length} reference sets`);
  }
  if (candidates.length === 0) throw new Error('scoreCaptions: no captions to score');
  const empty = references.findIndex((refs) => refs.length === 0);
  if (empty >= 0) throw new Error(`scoreCaptions: candidate ${empty} has no references`);
  const cands = candidates.map(tokenize);
  const refs = references.map((set) => set.map(tokenize));
  const [bleu1, bleu2, bleu3, bleu4] = bleu(cands, refs);
  return { bleu1, bleu2, bleu3, bleu4, rougeL: rougeL(cands, refs), ciderD: ciderD(cands, refs) };
}
