/**
 * An image's colours as a histogram: the domain data's second space, measured and reported beside the CLIP verdict
 * (worker/domain.ts). A CLIP trained on one kind of image can map unlike ones (charts, emoji) among its own images,
 * while their colours still differ. It is taken from the very pixels the CLIP sees (preprocessed: resized, CHW,
 * normalised), so fit and check agree.
 */
import type { ImageConfig } from './clip/preprocess';

/** Levels per channel: 8 → 512 bins, fine enough that a palette unlike the bundle's own images falls in bins they leave empty. */
export const COLOUR_LEVELS = 8;
export const COLOUR_BINS = COLOUR_LEVELS ** 3;

/** Histograms [count, COLOUR_BINS] (each sums to 1) of `count` preprocessed images [count, 3, size, size]. */
export function colourHistograms(pixels: Float32Array, count: number, cfg: Pick<ImageConfig, 'size' | 'mean' | 'std'>): Float32Array {
  const area = cfg.size * cfg.size;
  if (pixels.length < count * 3 * area) throw new Error(`colourHistograms: ${count} images of ${cfg.size}x${cfg.size} need ${count * 3 * area} values, got ${pixels.length}`);
  const out = new Float32Array(count * COLOUR_BINS);
  const level = (v: number, c: number) => Math.min(COLOUR_LEVELS - 1, Math.max(0, Math.floor((v * cfg.std[c] + cfg.mean[c]) * COLOUR_LEVELS)));
  for (let i = 0; i < count; i++) {
    const base = i * 3 * area;
    const h = out.subarray(i * COLOUR_BINS, (i + 1) * COLOUR_BINS);
    for (let p = 0; p < area; p++) {
      const bin = (level(pixels[base + p], 0) * COLOUR_LEVELS + level(pixels[base + area + p], 1)) * COLOUR_LEVELS + level(pixels[base + 2 * area + p], 2);
      h[bin] += 1 / area;
    }
  }
  return out;
}
