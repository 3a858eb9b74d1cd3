/**
 * Text -> caption reconstruction: each held-out line's own CLIP text embedding (eq. 6 with ē_text)
 * is decoded, and the captions are scored against their lines (BLEU, ROUGE-L, CIDEr-D).
 */
import { Bundle } from '../bundle/load';
import { ClipEncoders } from '../clip/encoders';
import { ClipTokenizer } from '../clip/tokenizer';
import { toDiffusionSpace } from '../diffusion';
import { closeGenerator, generate, openGenerator } from '../generate';
import { CaptionScores, scoreCaptions } from '../metrics';
import { RuntimeConfig, runtimeConfig } from '../runtime';
import { embedTexts } from './text-embeddings';

/** Rows of raw text embeddings -> z0 rows (eq. 6). */
export function textZ(embeds: Float32Array, mean: Float32Array, scale: number): Float32Array {
  const dim = mean.length;
  const out = new Float32Array(embeds.length);
  for (let r = 0; r < embeds.length / dim; r++) out.set(toDiffusionSpace(embeds.subarray(r * dim, (r + 1) * dim), mean, scale), r * dim);
  return out;
}

export interface TextEval {
  scores: CaptionScores;
  samples: { line: string; caption: string }[];
}

export async function evalText(bundle: Bundle, lines: string[], o: { beam?: number; runtime?: RuntimeConfig; cacheDir?: string } = {}): Promise<TextEval> {
  if (lines.length === 0) throw new Error('eval-text: no held-out lines to evaluate');
  const m = bundle.manifest;
  const runtime = o.runtime ?? runtimeConfig();
  const tok = ClipTokenizer.load(bundle.file(m.clip.tokenizer));
  const enc = await ClipEncoders.open(bundle.file(m.clip.vision), bundle.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: m.clip.embedDim }, runtime);
  try {
    const embeds = await embedTexts(enc, tok, m.files[m.clip.text].sha256, m.clip.contextLength, lines, { cacheDir: o.cacheDir });
    const z = textZ(embeds, bundle.textMean, m.diffusion.scale);
    const gen = await openGenerator(m.decoder.config, bundle.decoder, runtime);
    const caps = await generate(gen, z, lines.length, { bos: m.decoder.bos, eos: m.decoder.eos, stop: m.decoder.stop, beam: o.beam ?? 1 });
    await closeGenerator(gen);
    const captions = caps.map((c) => tok.decode(c.tokens.map((id) => bundle.vocab[id])).trim());
    return {
      scores: scoreCaptions(
        captions,
        lines.map((l) => [l]),
      ),
      samples: lines.map((line, i) => ({ line, caption: captions[i] })),
    };
  } finally {
    await enc.close();
  }
}
