/**
 * CLIP's two encoders (OpenAI CLIP / HF CLIPModel layout) as networks of this module, with the
 * Hugging Face ONNX export contract: `pixel_values` [B, 3, S, S] -> `image_embeds` [B, E] and
 * `input_ids`, `attention_mask` [B, L] -> `text_embeds` [B, E]. The outputs are the projections,
 * unnormalised, as from CLIPVisionModelWithProjection / CLIPTextModelWithProjection (the towers
 * exported as vision_model.onnx / text_model.onnx) and CLIPModel.get_image_features /
 * get_text_features; CLIPModel.forward's `image_embeds`/`text_embeds` are L2-normalised instead.
 * The product runs real exports; these graphs serve tests, speed figures and a self-trained CLIP.
 * Differences from OpenAI's weights: tanh GELU instead of quick_gelu, fused qkv and [in, out]
 * matrices, so real checkpoints need conversion, not just renaming.
 */
import { Graph, T } from './graph';
import * as L from './layers';
import { binaryCrossEntropy, infoNCE, normalise } from './losses';
import * as o from './ops';

export interface VisionConfig {
  imageSize: number;
  patch: number;
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
  embedDim: number;
  /**
   * A convolutional stem before the patch projection (absent in OpenAI's ViTs): each stem-px
   * sub-patch goes through a linear map to `width` channels and GELU, shared across positions, and
   * a patch token is the projection of its sub-patches' features: local features shared across
   * positions, where a linear projection of raw pixels must learn each shape at each offset.
   * Whether that makes a tower see shapes is measured (reports/shapes/LEVERS.md), not assumed.
   */
  stem?: { patch: number; width: number };
  /**
   * Instead of a patch stem, a convolutional one: 3×3 convolutions (padding 1, GELU) over the
   * image, whose overlapping windows see edges and corners wherever they fall; a patch token is
   * the projection of the feature-map cells under its patch.
   */
  convs?: { channels: number; stride: 1 | 2 }[];
  /**
   * With convs, no patch tokens and no transformer: the embedding is a projection of the last
   * feature map averaged over positions (a small CNN; patch, width, layers, heads and mlpRatio go
   * unused). Trained on which shapes a scene holds, such a tower learnt them where the ViT tower
   * did not (research/shapes/lever-list.ts, the cnn-attributes lever).
   */
  pool?: boolean;
}

export interface TextConfig {
  vocab: number;
  contextLength: number;
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
  embedDim: number;
}

export const VIT_B32: VisionConfig = { imageSize: 224, patch: 32, width: 768, layers: 12, heads: 12, mlpRatio: 4, embedDim: 512 };
export const CLIP_TEXT_B: TextConfig = { vocab: 49408, contextLength: 77, width: 512, layers: 12, heads: 8, mlpRatio: 4, embedDim: 512 };

function blocks(x: T, name: string, layers: number, opts: L.BlockOpts): T {
  for (let i = 0; i < layers; i++) x = L.transformerBlock(x, `${name}.block${i}`, opts);
  return x;
}

/**
 * Each patch's inputs to the patch projection [B, n², ·]: its pixels, flattened (channel, row,
 * column), so that the projection is a stride-p convolution without bias (conv1.weight [width, 3,
 * p, p] flattened and transposed is `clip.vision.patch.weight`); with a stem, the features of the
 * stem's cells under the patch instead, flattened (row, column, channel).
 */
export function patchRows(pixels: T, c: VisionConfig): T {
  const { imageSize: s, patch: p, stem, convs } = c;
  if (s % p !== 0) throw new Error(`clip vision: image size ${s} is not a multiple of the patch size ${p}`);
  const n = s / p;
  if (stem && convs) throw new Error('clip vision: a patch stem and a convolutional stem exclude each other');
  if (!stem && !convs) return o.reshape(o.transpose(o.reshape(pixels, [-1, 3, n, p, n, p]), [0, 2, 4, 1, 3, 5]), [-1, n * n, 3 * p * p]);
  const cell = stem ? stem.patch : convs!.reduce((f, cv) => f * cv.stride, 1);
  if (p % cell !== 0) throw new Error(`clip vision: patch size ${p} is not a multiple of the stem's ${cell}`);
  const k = p / cell;
  const features = stem ? patchStem(pixels, s, stem) : convStem(pixels, convs!);
  const width = features.shape[3] as number;
  // [B, (patch row, cell row), (patch column, cell column), C] -> [B, patch row, patch column, (cell row, cell column, C)].
  const grouped = o.transpose(o.reshape(features, [-1, n, k, n, k, width]), [0, 1, 3, 2, 4, 5]);
  return o.reshape(grouped, [-1, n * n, k * k * width]);
}

/** Each stem-px sub-patch (flattened channel, row, column) through a shared linear map and GELU: channels-last features [B, S/q, S/q, width]. */
function patchStem(pixels: T, s: number, stem: { patch: number; width: number }): T {
  const q = stem.patch;
  const m = s / q;
  const subs = o.reshape(o.transpose(o.reshape(pixels, [-1, 3, m, q, m, q]), [0, 2, 4, 1, 3, 5]), [-1, m, m, 3 * q * q]);
  // Unit-variance pre-activations (the default std would leave GELU nearly linear and the tokens ten times weaker than raw pixels').
  return L.gelu(L.linear(subs, 'clip.vision.stem', stem.width, true, (3 * q * q) ** -0.5));
}

/** The convolutions over channels-last pixels: features [B, S/f, S/f, C], f the product of the strides. */
export function convStem(pixels: T, convs: { channels: number; stride: 1 | 2 }[]): T {
  let x = o.transpose(pixels, [0, 2, 3, 1]);
  convs.forEach((cv, i) => (x = L.conv3x3(x, `clip.vision.conv${i}`, cv.channels, cv.stride)));
  return x;
}

/** Image embeddings from `pixel_values` [B, 3, S, S] (CLIP-normalised pixels). */
function imageEmbeds(g: Graph, c: VisionConfig): T {
  const { imageSize: s, patch: p, width } = c;
  const pixels = g.input('pixel_values', g.float, ['B', 3, s, s]);
  if (c.pool) {
    if (!c.convs || c.stem) throw new Error('clip vision: a pooled tower needs convolutions and no patch stem');
    const features = convStem(pixels, c.convs);
    const channels = features.shape[3] as number;
    return L.linear(o.reduceMean(features, [1, 2]), 'clip.vision.proj', c.embedDim, false, channels ** -0.5);
  }
  const n = s / p;
  const patches = L.linear(patchRows(pixels, c), 'clip.vision.patch', width, false);
  const scale = width ** -0.5;
  const cls = g.param('clip.vision.class', [width], { kind: 'normal', std: scale }, false);
  const batch = o.slice(o.shapeOf(pixels), 0, 0, 1);
  const clsRows = o.expand(o.reshape(cls, [1, 1, width]), o.concat([batch, g.ints([1, width])], 0), [pixels.shape[0], 1, width]);
  const pos = g.param('clip.vision.pos.weight', [n * n + 1, width], { kind: 'normal', std: scale }, false);
  let x = L.layerNorm(o.add(o.concat([clsRows, patches], 1), pos), 'clip.vision.ln_pre');
  x = blocks(x, 'clip.vision', c.layers, { heads: c.heads, causal: false, mlpRatio: c.mlpRatio });
  const cls0 = L.layerNorm(o.reshape(o.slice(x, 1, 0, 1), [-1, width]), 'clip.vision.ln_post');
  return L.linear(cls0, 'clip.vision.proj', c.embedDim, false, scale);
}

/**
 * x [B, L, W] at each row's last position with mask 1 -> [B, W]. The tokenizer writes start,
 * tokens, end, then padding with mask 0 (the pad id may equal the end id), so this is the end
 * token: HF's first-eos and OpenAI's argmax-of-ids pooling agree with it on such rows, and it
 * never depends on ids. A row with no mask at all pools position 0. The one-hot weights carry no
 * gradient; x's does flow through the product.
 */
function poolLastAttended(x: T, mask: T): T {
  const g = x.g;
  const len = x.shape[1] as number;
  const ramp = g.constant(
    Array.from({ length: len }, (_, i) => i + 1),
    [len],
  );
  const last = o.argMax(o.mul(o.cast(mask, g.float), ramp), -1);
  const ids = g.constant(
    Array.from({ length: len }, (_, i) => i),
    [len],
    'int64',
  );
  const onehot = o.cast(o.equal(o.unsqueeze(last, [-1]), ids), g.float);
  return o.reduceSum(o.mul(x, o.unsqueeze(onehot, [-1])), [1]);
}

export interface TextOpts {
  /** Static sequence length L of the graph, at most contextLength (default); positions 0..L-1 are used. */
  length?: number;
}

/** Text embeddings from `input_ids` and `attention_mask` [B, L] (int64, right-padded). */
function textEmbeds(g: Graph, c: TextConfig, opts: TextOpts): T {
  const len = opts.length ?? c.contextLength;
  if (!Number.isInteger(len) || len < 1 || len > c.contextLength) throw new Error(`clip text: length ${len} is not in 1..${c.contextLength}`);
  const ids = g.input('input_ids', 'int64', ['B', len]);
  const mask = g.input('attention_mask', 'int64', ['B', len]);
  const pos = g.param('clip.text.pos.weight', [c.contextLength, c.width], { kind: 'normal', std: 0.01 }, false);
  let x = o.add(L.embedding(ids, 'clip.text.tok', c.vocab, c.width), len === c.contextLength ? pos : o.slice(pos, 0, 0, len));
  // Causal attention already keeps the end token from seeing the padding after it; the key mask
  // (as HF applies attention_mask) covers padding anywhere else.
  x = blocks(x, 'clip.text', c.layers, { heads: c.heads, causal: true, mlpRatio: c.mlpRatio, keyMask: mask });
  const pooled = poolLastAttended(L.layerNorm(x, 'clip.text.ln_final'), mask);
  return L.linear(pooled, 'clip.text.proj', c.embedDim, false, c.width ** -0.5);
}

export const imageEncoder = (c: VisionConfig) => (g: Graph) => ({ image_embeds: imageEmbeds(g, c) });

export const textEncoder =
  (c: TextConfig, opts: TextOpts = {}) =>
  (g: Graph) => ({ text_embeds: textEmbeds(g, c, opts) });

export interface ClipLossOpts extends TextOpts {
  /**
   * The text batch is [2B, L]: B captions, then a false caption of each image (one fact changed:
   * a colour, shape, count or binding). Contrasted with its image's own caption, a false one makes
   * the towers encode which colour goes with which shape, which random batches never demand.
   */
  hardNegatives?: boolean;
  /**
   * An image-side objective beside InfoNCE: a linear head on the unit-length image embedding
   * predicts `count` 0/1 facts of each image (input `attributes` [B, count]), its binary
   * cross-entropy added at `weight`. Captions name a scene's parts one at a time, so InfoNCE rewards
   * whatever tells a batch's images apart (colours, the background) and never demands the rest; a
   * head on the embedding itself makes its direction, which the bridge and decoder read, hold them.
   * The head is trained only: the exported image tower ends at the embedding.
   *
   * `stated`: the same head also reads each true caption's unit-length embedding, its first
   * `stated` outputs predicting the facts that caption states (input `stated_attributes`
   * [B, stated]), at the same weight. Contrastive batches never ask a text tower which colour goes
   * with which shape; a head shared with the image puts those facts in the same directions of both
   * embeddings, which is where the bridge and the decoder look for them.
   *
   * `textHead`: the caption's facts are read by a head of the text tower's own
   * (`clip.text.attributes`, `stated` outputs) instead, so a 0 means "unsaid" there and "absent"
   * only in the image's head, and the image's prior does not answer for the caption.
   * `statedWeight`: that term's weight, when not `weight`.
   */
  attributes?: { count: number; weight: number; stated?: number; textHead?: boolean; statedWeight?: number };
}

/**
 * Symmetric InfoNCE of a batch of image/caption pairs (row i with row i) through both encoders,
 * with CLIP's learnt temperature `clip.logit_scale` starting at log(1/0.07). OpenAI clamps
 * exp(logit_scale) at 100; there is no clamp here (Min has no gradient rule), which a small run
 * does not reach.
 */
export const clipLoss =
  (v: VisionConfig, t: TextConfig, opts: ClipLossOpts = {}) =>
  (g: Graph) => {
    const logScale = g.param('clip.logit_scale', [], { kind: 'const', value: Math.log(1 / 0.07) });
    const images = imageEmbeds(g, v);
    const texts = textEmbeds(g, t, opts);
    // The true captions: with hard negatives, the first half of the text batch.
    const own = opts.hardNegatives ? o.reshape(o.slice(o.reshape(texts, [2, -1, t.embedDim]), 0, 0, 1), [-1, t.embedDim]) : texts;
    const contrastive = opts.hardNegatives ? infoNCE(images, own, logScale, texts) : infoNCE(images, texts, logScale);
    if (!opts.attributes) return { loss: contrastive };
    const { count, weight, stated, textHead, statedWeight = weight } = opts.attributes;
    const targets = g.input('attributes', g.float, ['B', count]);
    // Scaled to unit variance per dimension, so the head's usual initialisation suits it; without
    // textHead one head (one name, so one parameter) for both towers.
    const head = (x: T, width: number, name: string, outputs: number) => L.linear(o.mul(normalise(x), Math.sqrt(width)), name, outputs);
    const loss = o.add(contrastive, o.mul(binaryCrossEntropy(head(images, v.embedDim, 'clip.vision.attributes', count), targets), weight));
    if (!stated) return { loss };
    if (!textHead && (t.embedDim !== v.embedDim || stated > count)) throw new Error(`clip loss: ${stated} stated facts need the image head's ${count} outputs and one embedding width for both towers`);
    const statedTargets = g.input('stated_attributes', g.float, ['B', stated]);
    const said = textHead ? head(own, t.embedDim, 'clip.text.attributes', stated) : o.slice(head(own, v.embedDim, 'clip.vision.attributes', count), 1, 0, stated);
    return { loss: o.add(loss, o.mul(binaryCrossEntropy(said, statedTargets), statedWeight)) };
  };
