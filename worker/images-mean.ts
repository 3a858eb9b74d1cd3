/**
 * ē_img for a bundle (the image-side mean of eq. 6): the mean of the L2-normalised CLIP image embeddings of a folder
 * of the user's own images (unpaired images are enough), stored in the bundle's means file beside
 * ē_text. Until it exists the bundle cannot bridge. Unreadable images are skipped and reported.
 */
import { loadClip } from './bundle/load';
import { ClipManifest } from './bundle/manifest';
import { updateBundle } from './bundle/write';
import { ClipEncoders } from './clip/encoders';
import { preprocessBatch } from './clip/preprocess';
import { meanOfNormalised } from './diffusion';
import { RuntimeConfig, runtimeConfig } from './runtime';
import { StoredTensor } from './train/tensor-file';

export interface ImagesMeanResult {
  manifest: ClipManifest;
  images: number;
  failures: { file: string; error: string }[];
}

const MEANS = 'means.safetensors';

export async function imagesMean(
  ref: string,
  files: string[],
  o: { runtime?: RuntimeConfig; batchSize?: number; command?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImagesMeanResult> {
  const bundle = loadClip(ref);
  const m = bundle.manifest;
  const dim = m.clip.embedDim;
  const batchSize = o.batchSize ?? 16;
  const enc = await ClipEncoders.open(bundle.file(m.clip.vision), bundle.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: dim }, o.runtime ?? runtimeConfig());
  const sum = new Float64Array(dim);
  const failures: ImagesMeanResult['failures'] = [];
  let images = 0;
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      const chunk = files.slice(start, start + batchSize);
      const pre = await preprocessBatch(chunk, { size: m.clip.imageSize, mean: m.clip.mean, std: m.clip.std });
      const bad = chunk.filter((_, i) => !pre.ok.includes(i));
      pre.errors.forEach((e, k) => failures.push({ file: bad[k], error: e.reason }));
      if (pre.ok.length > 0) {
        const n = pre.ok.length;
        const embeds = (await enc.images(pre.pixels, n)).subarray(0, n * dim);
        meanOfNormalised(embeds, dim).forEach((v, i) => (sum[i] += v * n));
        images += n;
      }
      o.onProgress?.(Math.min(start + batchSize, files.length), files.length);
    }
  } finally {
    await enc.close();
  }
  if (images === 0) throw new Error(`images-mean: none of the ${files.length} file(s) is a readable image${failures[0] ? ` (first: ${failures[0].file}: ${failures[0].error})` : ''}`);
  const tensors: Record<string, StoredTensor> = { image_mean: { dtype: 'float32', shape: [dim], data: Float32Array.from(sum, (v) => v / images) } };
  if (bundle.textMean) tensors.text_mean = { dtype: 'float32', shape: [dim], data: bundle.textMean };
  const rel = m.means ?? MEANS;
  const note = `ē_img from ${images} image(s)${o.command ? `: ${o.command}` : ''}`;
  const manifest = updateBundle(bundle.dir, { [rel]: { tensors } }, { means: rel, provenance: { ...m.provenance, commands: [...m.provenance.commands, note] } });
  return { manifest, images, failures };
}
