/** One line of caption scores, as train, finetune and eval-text print them. */
import type { CaptionScores } from '../worker/metrics';

export const scoreLine = (label: string, s: CaptionScores): string =>
  `${label}: BLEU-1 ${s.bleu1.toFixed(3)} BLEU-4 ${s.bleu4.toFixed(3)} ROUGE-L ${s.rougeL.toFixed(3)} CIDEr-D ${s.ciderD.toFixed(3)}`;
