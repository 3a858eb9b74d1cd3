/**
 * Contrastive training of a CLIP (image and text towers, symmetric InfoNCE with a learnt
 * temperature) on images with several captions each: every step pairs each image of the batch
 * with one of its captions, drawn from the step's own stream, so epochs see different pairings;
 * optionally with 0/1 facts of each image that a head on its embedding learns to predict.
 */
import * as ort from 'onnxruntime-node';
import { clipLoss, TextConfig, VisionConfig } from '../graph/clip';
import { buildTrainStep } from '../graph/train-step';
import { Rng } from './rng';
import { Dataset, runStage, StageOptions, TrainResult } from './trainer';

export interface ClipTraining extends StageOptions {
  weightDecay: number;
}

export const CLIP_TRAINING: Omit<ClipTraining, 'steps'> = { batchSize: 128, lr: 1e-3, warmup: 200, seed: 0, weightDecay: 0.1 };

export interface ClipPairs {
  /** CLIP-normalised pixels [n, 3, S, S]. */
  pixels: Float32Array;
  /** Token ids and mask [n, k, L]: k captions per image, as ClipTokenizer.encode writes them. */
  ids: BigInt64Array;
  mask: BigInt64Array;
  /** Captions per image. */
  k: number;
  /** A false caption for each caption, ids and mask [n, k, L] like theirs: the batch's hard negatives. */
  negatives?: { ids: BigInt64Array; mask: BigInt64Array };
  /** Consecutive images that always share a batch (look-alike scenes); 1 when absent. */
  group?: number;
  /**
   * 0/1 facts of each image [n, count] for the image-side objective (ClipLossOpts.attributes), and
   * its weight; `stated`: the facts each caption states [n, k, count'], read by the same head (or,
   * with textHead, by the text tower's own), at `weight` or their own.
   */
  attributes?: { labels: Float32Array; count: number; weight: number; stated?: { labels: Float32Array; count: number; textHead?: boolean; weight?: number } };
}

/**
 * The batches of CLIP training: each image with one of its captions, drawn from the step's stream,
 * and with negatives the chosen caption's false twin in the second half of the text batch. With
 * groups, an example is a group of consecutive images, all of which go into its batch.
 */
export function clipDataset(pairs: ClipPairs, imageSize: number, len: number): Dataset {
  const s = imageSize;
  const px = 3 * s * s;
  const n = pairs.pixels.length / px;
  if (!Number.isInteger(n) || n < 2) throw new Error(`clip training: ${pairs.pixels.length} pixel values are not at least two images of 3 x ${s} x ${s}`);
  if (pairs.ids.length !== n * pairs.k * len) throw new Error(`clip training: ${pairs.ids.length} token ids are not ${n} images x ${pairs.k} captions x ${len}`);
  const group = pairs.group ?? 1;
  if (!Number.isInteger(group) || group < 1 || n % group !== 0) throw new Error(`clip training: ${n} images do not split into groups of ${group}`);
  const neg = pairs.negatives;
  if (neg && neg.ids.length !== pairs.ids.length) throw new Error(`clip training: ${neg.ids.length} hard-negative token ids are not one false caption per caption (${pairs.ids.length})`);
  const att = pairs.attributes;
  if (att && att.labels.length !== n * att.count) throw new Error(`clip training: ${att.labels.length} attribute labels are not ${n} images x ${att.count}`);
  const stated = att?.stated;
  if (stated && stated.labels.length !== n * pairs.k * stated.count)
    throw new Error(`clip training: ${stated.labels.length} stated-fact labels are not ${n} images x ${pairs.k} captions x ${stated.count}`);
  const rows = neg ? 2 : 1;
  return {
    size: n / group,
    batch(groups: Uint32Array, rng: Rng) {
      const idx = Uint32Array.from({ length: groups.length * group }, (_, i) => groups[Math.floor(i / group)] * group + (i % group));
      const b = idx.length;
      const pixels = new Float32Array(b * px);
      const ids = new BigInt64Array(rows * b * len);
      const mask = new BigInt64Array(rows * b * len);
      const labels = att ? new Float32Array(b * att.count) : null;
      const statedLabels = stated ? new Float32Array(b * stated.count) : null;
      idx.forEach((img, i) => {
        pixels.set(pairs.pixels.subarray(img * px, (img + 1) * px), i * px);
        if (att) labels!.set(att.labels.subarray(img * att.count, (img + 1) * att.count), i * att.count);
        const caption = img * pairs.k + rng.int(pairs.k);
        const row = caption * len;
        if (stated) statedLabels!.set(stated.labels.subarray(caption * stated.count, (caption + 1) * stated.count), i * stated.count);
        ids.set(pairs.ids.subarray(row, row + len), i * len);
        mask.set(pairs.mask.subarray(row, row + len), i * len);
        // The chosen caption's false twin, in the second half of the text batch.
        if (neg) {
          ids.set(neg.ids.subarray(row, row + len), (b + i) * len);
          mask.set(neg.mask.subarray(row, row + len), (b + i) * len);
        }
      });
      return {
        pixel_values: new ort.Tensor('float32', pixels, [b, 3, s, s]),
        input_ids: new ort.Tensor('int64', ids, [rows * b, len]),
        attention_mask: new ort.Tensor('int64', mask, [rows * b, len]),
        ...(att ? { attributes: new ort.Tensor('float32', labels!, [b, att.count]) } : {}),
        ...(stated ? { stated_attributes: new ort.Tensor('float32', statedLabels!, [b, stated.count]) } : {}),
      };
    },
  };
}

export async function trainClip(pairs: ClipPairs, vision: VisionConfig, text: TextConfig & { length: number }, o: ClipTraining): Promise<TrainResult> {
  const data = clipDataset(pairs, vision.imageSize, text.length);
  const att = pairs.attributes;
  const attributes = att && { count: att.count, weight: att.weight, stated: att.stated?.count, textHead: att.stated?.textHead, statedWeight: att.stated?.weight };
  const graph = buildTrainStep(clipLoss(vision, text, { length: text.length, hardNegatives: !!pairs.negatives, attributes }), { adamw: { weightDecay: o.weightDecay } });
  // The batch size counts images: a step takes batchSize / group groups.
  return runStage(graph, data, { ...o, batchSize: Math.max(1, Math.floor(o.batchSize / (pairs.group ?? 1))) });
}
