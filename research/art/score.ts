/**
 * How right a caption is about a named image: the exact name (what a screen reader would have
 * announced), every word of the name present, and CIDEr-D against the name and its tag line.
 */
import { scoreCaptions } from '../../worker/metrics';
import { tokenize } from '../../worker/metrics/tokenize';

export interface NameScores {
  n: number;
  /** Share of captions that are the name exactly (after COCO tokenisation). */
  exact: number;
  /** Share of captions holding every word of the name. */
  contained: number;
  /** CIDEr-D ×100 against the name and its tag line. */
  cider: number;
}

export const isExact = (caption: string, name: string): boolean => tokenize(caption).join(' ') === tokenize(name).join(' ');

export function contains(caption: string, name: string): boolean {
  const words = new Set(tokenize(caption));
  return tokenize(name).every((w) => words.has(w));
}

export function nameScores(captions: string[], names: string[], references: string[][]): NameScores {
  const n = captions.length;
  if (n === 0) return { n, exact: NaN, contained: NaN, cider: NaN };
  let exact = 0;
  let contained = 0;
  captions.forEach((c, i) => {
    exact += isExact(c, names[i]) ? 1 : 0;
    contained += contains(c, names[i]) ? 1 : 0;
  });
  return { n, exact: exact / n, contained: contained / n, cider: 100 * scoreCaptions(captions, references).ciderD };
}

/** The same scores for each group of items (emoji group, clip-art category), largest first. */
export function scoresByGroup(captions: string[], names: string[], references: string[][], groups: string[]): { group: string; scores: NameScores }[] {
  const by = new Map<string, number[]>();
  groups.forEach((g, i) => by.set(g, [...(by.get(g) ?? []), i]));
  return [...by.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([group, idx]) => ({
      group,
      scores: nameScores(
        idx.map((i) => captions[i]),
        idx.map((i) => names[i]),
        idx.map((i) => references[i]),
      ),
    }));
}
