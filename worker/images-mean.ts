/**
 * ē_img for a bundle (the image-side mean of eq. 6): the mean of the L2-normalised CLIP image embeddings of a folder
 * of the user's own images (unpaired images are enough), stored in the bundle's means file beside
 * ē_text. Until it exists the bundle cannot bridge. The same images give the bundle's domain
 * (worker/domain.ts, in CLIP space and over colour histograms), which tells captioning whether a new image looks
 * like these. Unreadable images are skipped and reported. Embeddings and histograms are kept in memory for the
 * domain's second pass (n × (d + 512) floats: 100k images of 512-d CLIP take 400 MB).
 */
import { ClipBundle, loadClip } from './bundle/load';
import { ClipManifest, DomainManifest } from './bundle/manifest';
import { BundleContent, updateBundle } from './bundle/write';
import { ClipEncoders } from './clip/encoders';
import { preprocessBatch } from './clip/preprocess';
import { concatFloat32 } from './concat';
import { meanOfNormalised } from './diffusion';
import { COLOUR_BINS, COLOUR_LEVELS, colourHistograms } from './colour-histogram';
import { COLOUR_PREFIX, DOMAIN_PERCENTILES, DomainModel, domainQuantiles, fitDomain } from './domain';
import { RuntimeConfig, runtimeConfig } from './runtime';
import { StoredTensor } from './train/tensor-file';

export interface ImagesMeanResult {
  manifest: ClipManifest;
  images: number;
  failures: { file: string; error: string }[];
}

export interface ImagesMeanOptions {
  runtime?: RuntimeConfig;
  batchSize?: number;
  command?: string;
  onProgress?: (done: number, total: number) => void;
  /** The images' domain in words for the manifest (default: how many images and where from). */
  description?: string;
  /** Marks a demonstration bundle (never meant for real images). */
  demonstration?: boolean;
  /** Record the domain only and leave ē_img as it is (a bundle whose captioner was trained with it). */
  domainOnly?: boolean;
}

const MEANS = 'means.safetensors';
const DOMAIN = 'domain.safetensors';

/** Raw CLIP image embeddings [n, embedDim] and colour histograms [n, COLOUR_BINS] of the readable files, and the failures. */
export async function embedImages(
  bundle: ClipBundle,
  files: string[],
  o: Pick<ImagesMeanOptions, 'runtime' | 'batchSize' | 'onProgress'> = {},
): Promise<{ embeds: Float32Array; colours: Float32Array; images: number; failures: ImagesMeanResult['failures'] }> {
  const m = bundle.manifest;
  const dim = m.clip.embedDim;
  const batchSize = o.batchSize ?? 16;
  const enc = await ClipEncoders.open(bundle.file(m.clip.vision), bundle.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: dim }, o.runtime ?? runtimeConfig());
  const parts: Float32Array[] = [];
  const colourParts: Float32Array[] = [];
  const failures: ImagesMeanResult['failures'] = [];
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      const chunk = files.slice(start, start + batchSize);
      const cfg = { size: m.clip.imageSize, mean: m.clip.mean, std: m.clip.std, fit: m.clip.fit };
      const pre = await preprocessBatch(chunk, cfg);
      const bad = chunk.filter((_, i) => !pre.ok.includes(i));
      pre.errors.forEach((e, k) => failures.push({ file: bad[k], error: e.reason }));
      if (pre.ok.length > 0) {
        parts.push((await enc.images(pre.pixels, pre.ok.length)).slice(0, pre.ok.length * dim));
        colourParts.push(colourHistograms(pre.pixels, pre.ok.length, cfg));
      }
      o.onProgress?.(Math.min(start + batchSize, files.length), files.length);
    }
  } finally {
    await enc.close();
  }
  const embeds = concatFloat32(parts);
  return { embeds, colours: concatFloat32(colourParts), images: embeds.length / dim, failures };
}

/** ē_img and the domain statistics (worker/domain.ts) of the images, stored in the bundle. */
export async function imagesMean(ref: string, files: string[], o: ImagesMeanOptions = {}): Promise<ImagesMeanResult> {
  const bundle = loadClip(ref);
  const m = bundle.manifest;
  const dim = m.clip.embedDim;
  const { embeds, colours, images, failures } = await embedImages(bundle, files, o);
  if (images === 0) throw new Error(`images-mean: none of the ${files.length} file(s) is a readable image${failures[0] ? ` (first: ${failures[0].file}: ${failures[0].error})` : ''}`);
  const fit = fitDomain(embeds, dim);
  const colour = fitDomain(colours, COLOUR_BINS);
  const domainRel = m.domain?.file ?? DOMAIN;
  const domain: DomainManifest = {
    file: domainRel,
    count: fit.count,
    shrinkage: { method: 'ledoit-wolf', intensity: fit.shrinkage },
    quantiles: domainQuantiles(fit.model.quantiles),
    description: o.description ?? `images like the ${images} given to images-mean`,
    ...(o.demonstration ? { demonstration: true } : {}),
    colour: { levels: COLOUR_LEVELS, shrinkage: { method: 'ledoit-wolf', intensity: colour.shrinkage }, quantiles: domainQuantiles(colour.model.quantiles) },
  };
  const content: Record<string, BundleContent> = {
    [domainRel]: { tensors: { ...domainTensors('', fit.model), ...domainTensors(COLOUR_PREFIX, colour.model) } },
  };
  const rel = m.means ?? MEANS;
  if (!o.domainOnly) {
    const tensors: Record<string, StoredTensor> = { image_mean: { dtype: 'float32', shape: [dim], data: meanOfNormalised(embeds, dim) } };
    if (bundle.textMean) tensors.text_mean = { dtype: 'float32', shape: [dim], data: bundle.textMean };
    content[rel] = { tensors };
  }
  const what = o.domainOnly ? 'domain' : 'ē_img and domain';
  const note = `${what} from ${images} image(s)${o.command ? `: ${o.command}` : ''}`;
  const manifest = updateBundle(bundle.dir, content, { ...(o.domainOnly ? {} : { means: rel }), domain, provenance: { ...m.provenance, commands: [...m.provenance.commands, note] } });
  return { manifest, images, failures };
}

const f64 = (shape: number[], data: Float64Array): StoredTensor => ({ dtype: 'float64', shape, data });

/** A domain model's tensors, named with `prefix` (worker/bundle/load.ts reads them back). */
const domainTensors = (prefix: string, d: DomainModel): Record<string, StoredTensor> => ({
  [`${prefix}mean`]: f64([d.dim], d.mean),
  [`${prefix}whiten`]: f64([d.dim, d.dim], d.whiten),
  [`${prefix}quantiles`]: f64([DOMAIN_PERCENTILES], d.quantiles),
});
