/** Captions a set of images with a bundle and scores them against their references. */
import { Bundle } from '../../worker/bundle/load';
import { CaptionOptions, Captioner, isFailure } from '../../worker/caption';
import { CaptionScores, scoreCaptions } from '../../worker/metrics';
import { RuntimeConfig, runtimeConfig } from '../../worker/runtime';
import { EvalItem } from './references';

export interface ImageEval {
  scores: CaptionScores;
  samples: { file: string; caption: string; references: string[] }[];
  /** Images that could not be read: left out of the scores, listed with the reason. */
  failures: { file: string; error: string }[];
  ms: number;
}

export async function evalImages(bundle: Bundle, items: EvalItem[], o: CaptionOptions & { runtime?: RuntimeConfig } = {}): Promise<ImageEval> {
  const started = Date.now();
  const captioner = await Captioner.open(bundle, o.runtime ?? runtimeConfig());
  try {
    const results = await captioner.caption(
      items.map((it) => it.file),
      o,
    );
    const samples: ImageEval['samples'] = [];
    const failures: ImageEval['failures'] = [];
    results.forEach((r, i) => (isFailure(r) ? failures.push(r) : samples.push({ file: r.file, caption: r.caption, references: items[i].references })));
    if (samples.length === 0) throw new Error(`eval: none of the ${items.length} images could be captioned (first: ${failures[0]?.error})`);
    const scores = scoreCaptions(
      samples.map((s) => s.caption),
      samples.map((s) => s.references),
    );
    return { scores, samples, failures, ms: Date.now() - started };
  } finally {
    await captioner.close();
  }
}
