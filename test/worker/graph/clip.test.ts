/**
 * CLIP's encoders built with the graph module: the ViT-B/32 tower's size and contract in
 * onnxruntime, padding that truly takes no part in text embeddings, gradients of both towers and
 * the contrastive loss against finite differences, and a small CLIP that learns its pairs.
 */
import * as ort from 'onnxruntime-node';
import { CLIP_TEXT_B, clipLoss, convStem, imageEncoder, patchRows, TextConfig, textEncoder, VisionConfig, VIT_B32 } from '../../../worker/graph/clip';
import { Graph } from '../../../worker/graph/graph';
import { conv3x3 } from '../../../worker/graph/layers';
import { buildInference, buildTrainStep, NetDef } from '../../../worker/graph/train-step';
import { openSession } from '../../../worker/runtime';
import { Rng } from '../../../worker/train/rng';
import { initialValue, Trainer } from '../../../worker/train/trainer';
import { gradCheck } from './gradcheck';

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function paramSpecs(def: NetDef) {
  const g = new Graph();
  def(g);
  return g.params.map((p) => p.spec);
}

/** Seeded initial values of every parameter `def` declares, as the trainer would draw them. */
const randomValues = (def: NetDef, seed: number) => new Map(paramSpecs(def).map((s, i) => [s.name, initialValue(s.init, sizeOf(s.shape), new Rng(seed, i))]));

const int64 = (v: number[]) => BigInt64Array.from(v, (x) => BigInt(x));

/** Standard-normal pixel values [b, 3, s, s] drawn from `rng`. */
const randomPixels = (rng: Rng, b: number, s: number) =>
  new ort.Tensor(
    'float32',
    Float32Array.from({ length: b * 3 * s * s }, () => rng.normal()),
    [b, 3, s, s],
  );

/** The first output of `def` with parameter `values`, fed those of `feeds` named in `names` (all when absent). */
async function firstOutput(def: NetDef, values: Map<string, Float32Array>, feeds: Record<string, ort.Tensor>, names = Object.keys(feeds)): Promise<Float32Array> {
  const session = await openSession(buildInference(def, values));
  const out = await session.run(Object.fromEntries(names.map((n) => [n, feeds[n]])));
  await session.release();
  return Object.values(out)[0].data as Float32Array;
}

test('the ViT-B/32 image encoder has CLIP ViT-B/32 vision tower + projection parameters and maps [2,3,224,224] to [2,512]', async () => {
  const w = 768;
  const n = 224 / 32;
  const ln = 2 * w; // scale + bias
  const block =
    ln + // ln1
    (w * 3 * w + 3 * w) + // fused q/k/v with biases (HF: three [w, w] + bias)
    (w * w + w) + // attention out
    ln + // ln2
    (w * 4 * w + 4 * w) + // fc
    (4 * w * w + w); // proj
  const expected =
    3 * 32 * 32 * w + // conv1 [768, 3, 32, 32], no bias in CLIP either
    w + // class embedding
    (n * n + 1) * w + // positions: 49 patches + class
    ln + // ln_pre
    12 * block +
    ln + // ln_post
    w * 512; // visual projection, no bias
  expect(expected).toBe(87_849_216);
  const specs = paramSpecs(imageEncoder(VIT_B32));
  expect(specs.reduce((s, p) => s + sizeOf(p.shape), 0)).toBe(expected);
  expect(specs.every((p) => p.name.startsWith('clip.vision.'))).toBe(true);

  const values = randomValues(imageEncoder(VIT_B32), 7);
  const session = await openSession(buildInference(imageEncoder(VIT_B32), values));
  values.clear(); // the session holds its own copy of the 350 MB
  const rng = new Rng(3);
  const pixels = Float32Array.from({ length: 2 * 3 * 224 * 224 }, () => rng.normal());
  const out = (await session.run({ pixel_values: new ort.Tensor('float32', pixels, [2, 3, 224, 224]) })).image_embeds;
  expect(out.dims).toEqual([2, 512]);
  expect((out.data as Float32Array).every(Number.isFinite)).toBe(true);
  await session.release();
});

test('ViT-B/32 + the CLIP text tower + logit scale add up to CLIPModel ViT-B/32 (151,277,313)', () => {
  const w = 512;
  const text =
    49408 * w + // token embedding
    77 * w + // positions
    12 * (2 * w + (w * 3 * w + 3 * w) + (w * w + w) + 2 * w + (w * 4 * w + 4 * w) + (4 * w * w + w)) +
    2 * w + // ln_final
    w * 512; // text projection
  expect(text).toBe(63_428_096);
  const specs = paramSpecs(clipLoss(VIT_B32, CLIP_TEXT_B));
  expect(specs.reduce((s, p) => s + sizeOf(p.shape), 0)).toBe(87_849_216 + text + 1);
  expect(specs.filter((p) => p.name.startsWith('clip.text.')).reduce((s, p) => s + sizeOf(p.shape), 0)).toBe(text);
});

describe('text encoder padding', () => {
  const cfg: TextConfig = { vocab: 20, contextLength: 10, width: 16, layers: 2, heads: 2, mlpRatio: 2, embedDim: 8 };
  const [bos, eos] = [18, 19]; // end = last id, and padding reuses it as CLIP's tokenizer does
  const rows = [[3, 4], [5, 6, 7, 8], [9]].map((t) => [bos, ...t, eos]);
  const values = randomValues(textEncoder(cfg), 11);

  /** Right-padded ids and mask [rows, len], padding ids from `padId`. */
  function batch(len: number, padId: (b: number, j: number) => number) {
    const ids: number[] = [];
    const mask: number[] = [];
    rows.forEach((r, b) => {
      for (let j = 0; j < len; j++) {
        ids.push(j < r.length ? r[j] : padId(b, j));
        mask.push(j < r.length ? 1 : 0);
      }
    });
    return { input_ids: new ort.Tensor('int64', int64(ids), [rows.length, len]), attention_mask: new ort.Tensor('int64', int64(mask), [rows.length, len]) };
  }

  async function embed(len: number, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
    const session = await openSession(buildInference(textEncoder(cfg, { length: len }), values));
    const out = (await session.run(feeds)).text_embeds;
    await session.release();
    expect(out.dims).toEqual([rows.length, cfg.embedDim]);
    return out.data as Float32Array;
  }

  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

  test('other padding ids and a graph trimmed to the longest row give the same embeddings', async () => {
    const padded = await embed(
      cfg.contextLength,
      batch(cfg.contextLength, () => eos),
    );
    const rng = new Rng(5);
    const noisy = await embed(
      cfg.contextLength,
      batch(cfg.contextLength, () => rng.int(cfg.vocab)),
    );
    const longest = Math.max(...rows.map((r) => r.length));
    const trimmed = await embed(
      longest,
      batch(longest, () => eos),
    );
    console.log(`clip text padding: max |difference| other padding ids ${maxDiff(padded, noisy).toExponential(2)}, trimmed to L=${longest} ${maxDiff(padded, trimmed).toExponential(2)}`);
    expect(maxDiff(padded, noisy)).toBeLessThan(1e-6);
    expect(maxDiff(padded, trimmed)).toBeLessThan(1e-5);
    // Not vacuous: a real token does change its row, and only its row.
    const changed = batch(cfg.contextLength, () => eos);
    (changed.input_ids.data as BigInt64Array)[1] = 12n;
    const other = await embed(cfg.contextLength, changed);
    expect(maxDiff(padded.subarray(0, cfg.embedDim), other.subarray(0, cfg.embedDim))).toBeGreaterThan(1e-3);
    expect(maxDiff(padded.subarray(cfg.embedDim), other.subarray(cfg.embedDim))).toBe(0);
  });
});

test.each([
  ['without a stem', undefined],
  ['with a stem', { patch: 2, width: 3 }],
])('%s, each patch row holds its own patch and nothing else', async (_name, stem) => {
  const v: VisionConfig = { imageSize: 8, patch: 4, width: 8, layers: 1, heads: 2, mlpRatio: 2, embedDim: 4, stem };
  const def = (g: Graph) => ({ rows: patchRows(g.input('pixel_values', g.float, ['B', 3, 8, 8]), v) });
  const session = await openSession(buildInference(def, randomValues(def, 3)));
  const rng = new Rng(4);
  const base = Float32Array.from({ length: 3 * 64 }, () => rng.normal());
  const rows = async (px: Float32Array) => (await session.run({ pixel_values: new ort.Tensor('float32', px, [1, 3, 8, 8]) })).rows.data as Float32Array;
  const before = await rows(base);
  const width = before.length / 4;
  // One pixel changed in each channel and quadrant: only the row of the patch holding it moves.
  for (const [ch, y, x] of [
    [0, 0, 0],
    [1, 2, 5],
    [2, 6, 1],
    [0, 7, 7],
  ]) {
    const px = base.slice();
    px[ch * 64 + y * 8 + x] += 1;
    const after = await rows(px);
    const moved = [0, 1, 2, 3].filter((r) => after.subarray(r * width, (r + 1) * width).some((e, i) => Math.abs(e - before[r * width + i]) > 1e-6));
    expect(moved).toEqual([Math.floor(y / 4) * 2 + Math.floor(x / 4)]);
  }
  await session.release();
});

test.each([1, 2] as const)('a 3x3 convolution of stride %i is the direct sum over its window (padding 1) with bias, then GELU', async (stride) => {
  const [h, w, c, out] = [6, 4, 2, 3];
  const def = (g: Graph) => ({ y: conv3x3(g.input('x', g.float, ['B', h, w, c]), 'conv', out, stride) });
  const values = randomValues(def, 7);
  values.set(
    'conv.bias',
    Float32Array.from({ length: out }, (_, i) => 0.1 * (i + 1)),
  );
  const session = await openSession(buildInference(def, values));
  const rng = new Rng(8);
  const x = Float32Array.from({ length: 2 * h * w * c }, () => rng.normal());
  const y = (await session.run({ x: new ort.Tensor('float32', x, [2, h, w, c]) })).y;
  const [ho, wo] = [h / stride, w / stride];
  expect(y.dims).toEqual([2, ho, wo, out]);
  const weight = values.get('conv.weight')!;
  const bias = values.get('conv.bias')!;
  const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  let worst = 0;
  for (let b = 0; b < 2; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let co = 0; co < out; co++) {
          let sum = bias[co];
          for (let dy = 0; dy < 3; dy++)
            for (let dx = 0; dx < 3; dx++) {
              const [yy, xx] = [i * stride + dy - 1, j * stride + dx - 1];
              if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              for (let ci = 0; ci < c; ci++) sum += x[((b * h + yy) * w + xx) * c + ci] * weight[((dy * 3 + dx) * c + ci) * out + co];
            }
          worst = Math.max(worst, Math.abs(gelu(sum) - (y.data as Float32Array)[((b * ho + i) * wo + j) * out + co]));
        }
  expect(worst).toBeLessThan(1e-5);
  await session.release();
});

test('a convolutional stem gives each patch the feature cells under it, and a patch its strides do not divide, an odd size for stride 2 or two stems are refused', async () => {
  const v: VisionConfig = {
    imageSize: 16,
    patch: 8,
    width: 8,
    layers: 1,
    heads: 2,
    mlpRatio: 2,
    embedDim: 4,
    convs: [
      { channels: 4, stride: 2 },
      { channels: 5, stride: 2 },
      { channels: 6, stride: 1 },
    ],
  };
  const def = (g: Graph) => ({ rows: patchRows(g.input('pixel_values', g.float, ['B', 3, 16, 16]), v) });
  const values = randomValues(def, 3);
  // The same convolutions alone (the same parameter names, so the same values): the feature map [B, 4, 4, 6].
  const convsOnly = (g: Graph) => ({ features: convStem(g.input('pixel_values', g.float, ['B', 3, 16, 16]), v.convs!) });
  const rng = new Rng(5);
  const feeds = {
    pixel_values: randomPixels(rng, 2, 16),
  };
  const session = await openSession(buildInference(def, values));
  const rows = (await session.run(feeds)).rows;
  const features = await firstOutput(convsOnly, values, feeds);
  // 2 x 2 patches, each 2 x 2 cells of the 4-px-stride feature map with 6 channels.
  expect(rows.dims).toEqual([2, 4, 24]);
  const want = Float32Array.from({ length: 2 * 4 * 24 }, (_, i) => {
    const [b, patch, rest] = [Math.floor(i / 96), Math.floor(i / 24) % 4, i % 24];
    const [cy, cx, ch] = [Math.floor(rest / 12), Math.floor(rest / 6) % 2, rest % 6];
    const [y, x] = [2 * Math.floor(patch / 2) + cy, 2 * (patch % 2) + cx];
    return features[((b * 4 + y) * 4 + x) * 6 + ch];
  });
  expect(Array.from(rows.data as Float32Array)).toEqual(Array.from(want));
  await session.release();
  expect(() => imageEncoder({ ...v, patch: 2 })(new Graph())).toThrow("patch size 2 is not a multiple of the stem's 4");
  const g = new Graph();
  expect(() => conv3x3(g.input('x', g.float, ['B', 3, 4, 2]), 'conv', 2, 2)).toThrow('stride 2 needs an even height and width, not 3 x 4');
  expect(() => imageEncoder({ ...v, stem: { patch: 2, width: 3 } })(new Graph())).toThrow('exclude each other');
});

test('a pooled tower is the projection of its convolutions averaged over positions, with no transformer; without convolutions it is refused', async () => {
  const v: VisionConfig = {
    imageSize: 16,
    patch: 8,
    width: 8,
    layers: 1,
    heads: 2,
    mlpRatio: 2,
    embedDim: 3,
    convs: [
      { channels: 4, stride: 2 },
      { channels: 5, stride: 1 },
    ],
    pool: true,
  };
  const values = randomValues(imageEncoder(v), 4);
  expect([...values.keys()].sort()).toEqual(['clip.vision.conv0.bias', 'clip.vision.conv0.weight', 'clip.vision.conv1.bias', 'clip.vision.conv1.weight', 'clip.vision.proj.weight']);
  const convsOnly = (g: Graph) => ({ features: convStem(g.input('pixel_values', g.float, ['B', 3, 16, 16]), v.convs!) });
  const rng = new Rng(6);
  const feeds = {
    pixel_values: randomPixels(rng, 2, 16),
  };
  const features = await firstOutput(convsOnly, values, feeds);
  const embeds = await firstOutput(imageEncoder(v), values, feeds);
  const proj = values.get('clip.vision.proj.weight')!;
  // Feature map [2, 8, 8, 5]: the mean of each image's 64 cells per channel, times proj [5, 3].
  for (let b = 0; b < 2; b++)
    for (let e = 0; e < 3; e++) {
      let want = 0;
      for (let ch = 0; ch < 5; ch++) {
        let mean = 0;
        for (let cell = 0; cell < 64; cell++) mean += features[(b * 64 + cell) * 5 + ch] / 64;
        want += mean * proj[ch * 3 + e];
      }
      expect(embeds[b * 3 + e]).toBeCloseTo(want, 5);
    }
  expect(() => imageEncoder({ ...v, convs: undefined })(new Graph())).toThrow('a pooled tower needs convolutions and no patch stem');
  expect(() => imageEncoder({ ...v, stem: { patch: 2, width: 3 } })(new Graph())).toThrow('a pooled tower needs convolutions and no patch stem');
});

test('a stem whose sub-patch does not divide the patch, or a patch that does not divide the image, is refused', () => {
  const v: VisionConfig = { imageSize: 8, patch: 4, width: 8, layers: 1, heads: 2, mlpRatio: 2, embedDim: 4 };
  expect(() => imageEncoder({ ...v, stem: { patch: 3, width: 4 } })(new Graph())).toThrow("patch size 4 is not a multiple of the stem's 3");
  expect(() => imageEncoder({ ...v, patch: 3 })(new Graph())).toThrow('image size 8 is not a multiple of the patch size 3');
});

describe('CLIP gradients against finite differences (float64)', () => {
  const v: VisionConfig = { imageSize: 8, patch: 4, width: 8, layers: 1, heads: 2, mlpRatio: 2, embedDim: 4 };
  const t: TextConfig = { vocab: 7, contextLength: 5, width: 8, layers: 1, heads: 2, mlpRatio: 2, embedDim: 4 };
  // Length 4 of a 5-position context exercises the sliced position table; row 0 is padded.
  const text = { input_ids: { dims: [3, 4], values: [5, 1, 2, 6, 5, 3, 6, 6, 5, 2, 4, 6] }, attention_mask: { dims: [3, 4], values: [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1] } };
  const cases = [
    // The network declares its inputs itself: pixels get random values (and are checked too), ids/mask these.
    { name: 'image encoder', extra: { pixel_values: { dims: [3, 3, 8, 8] } }, build: (g: Graph) => imageEncoder(v)(g).image_embeds },
    { name: 'image encoder with a stem', extra: { pixel_values: { dims: [3, 3, 8, 8] } }, build: (g: Graph) => imageEncoder({ ...v, stem: { patch: 2, width: 3 } })(g).image_embeds },
    {
      name: 'image encoder with a convolutional stem',
      extra: { pixel_values: { dims: [3, 3, 8, 8] } },
      build: (g: Graph) =>
        imageEncoder({
          ...v,
          convs: [
            { channels: 3, stride: 2 },
            { channels: 2, stride: 1 },
          ],
        })(g).image_embeds,
    },
    {
      name: 'pooled image encoder (a CNN)',
      extra: { pixel_values: { dims: [3, 3, 8, 8] } },
      build: (g: Graph) => imageEncoder({ ...v, convs: [{ channels: 3, stride: 2 }], pool: true })(g).image_embeds,
    },
    { name: 'text encoder', extra: text, build: (g: Graph) => textEncoder(t, { length: 4 })(g).text_embeds },
    { name: 'clipLoss', extra: { pixel_values: { dims: [3, 3, 8, 8] }, ...text }, build: (g: Graph) => clipLoss(v, t, { length: 4 })(g).loss },
    // Two texts per image: the three captions, then a hard negative of each (another image's caption: the rows rotated).
    {
      name: 'clipLoss with hard negatives',
      extra: {
        pixel_values: { dims: [3, 3, 8, 8] },
        input_ids: { dims: [6, 4], values: [...text.input_ids.values, ...text.input_ids.values.slice(4), ...text.input_ids.values.slice(0, 4)] },
        attention_mask: {
          dims: [6, 4],
          values: [...text.attention_mask.values, ...text.attention_mask.values.slice(8), ...text.attention_mask.values.slice(4, 8), ...text.attention_mask.values.slice(0, 4)],
        },
      },
      build: (g: Graph) => clipLoss(v, t, { length: 4, hardNegatives: true })(g).loss,
    },
    {
      name: 'clipLoss with the attribute head',
      extra: { pixel_values: { dims: [3, 3, 8, 8] }, ...text, attributes: { dims: [3, 2], values: [1, 0, 0, 1, 1, 1] } },
      build: (g: Graph) => clipLoss(v, t, { length: 4, attributes: { count: 2, weight: 0.7 } })(g).loss,
    },
    {
      name: 'clipLoss with the attribute head reading captions too',
      extra: { pixel_values: { dims: [3, 3, 8, 8] }, ...text, attributes: { dims: [3, 2], values: [1, 0, 0, 1, 1, 1] }, stated_attributes: { dims: [3, 1], values: [1, 0, 1] } },
      build: (g: Graph) => clipLoss(v, t, { length: 4, attributes: { count: 2, weight: 0.7, stated: 1 } })(g).loss,
    },
    {
      name: "clipLoss with the text tower's own head reading captions",
      extra: { pixel_values: { dims: [3, 3, 8, 8] }, ...text, attributes: { dims: [3, 2], values: [1, 0, 0, 1, 1, 1] }, stated_attributes: { dims: [3, 3], values: [1, 0, 1, 0, 0, 1, 1, 1, 0] } },
      build: (g: Graph) => clipLoss(v, t, { length: 4, attributes: { count: 2, weight: 0.7, stated: 3, textHead: true } })(g).loss,
    },
  ];
  test.each(cases.map((c) => [c.name, c] as const))('%s, all parameters', async (_name, c) => {
    const r = await gradCheck(c);
    console.log(`clip gradient check, ${c.name}: worst relative error ${r.worst.toExponential(2)}`);
    expect(r.worst).toBeLessThan(1e-5);
  });
});

test('with hard negatives, image -> text contrasts each image with all 2B texts and text -> image with the B captions only', async () => {
  const v: VisionConfig = { imageSize: 8, patch: 4, width: 16, layers: 1, heads: 2, mlpRatio: 2, embedDim: 8 };
  const t: TextConfig = { vocab: 12, contextLength: 4, width: 16, layers: 1, heads: 2, mlpRatio: 2, embedDim: 8 };
  const values = randomValues(clipLoss(v, t, { hardNegatives: true }), 5);
  const rng = new Rng(6);
  const b = 3;
  const feeds = {
    pixel_values: randomPixels(rng, b, 8),
    input_ids: new ort.Tensor('int64', int64(Array.from({ length: 2 * b * 4 }, () => rng.int(12))), [2 * b, 4]),
    attention_mask: new ort.Tensor('int64', int64(new Array(2 * b * 4).fill(1)), [2 * b, 4]),
  };
  const run = (def: NetDef, names: string[]) => firstOutput(def, values, feeds, names);
  const img = await run(imageEncoder(v), ['pixel_values']);
  const txt = await run(textEncoder(t), ['input_ids', 'attention_mask']);
  const row = (x: Float32Array, i: number) => {
    const r = Array.from(x.subarray(i * 8, (i + 1) * 8));
    const n = Math.hypot(...r);
    return r.map((e) => e / n);
  };
  const scale = 1 / 0.07;
  const logit = (i: number, j: number) => scale * row(img, i).reduce((a, e, k) => a + e * row(txt, j)[k], 0);
  const nll = (xs: number[], k: number) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0)) - xs[k];
  let want = 0;
  for (let i = 0; i < b; i++) {
    want +=
      nll(
        Array.from({ length: 2 * b }, (_, j) => logit(i, j)),
        i,
      ) /
      (2 * b);
    want +=
      nll(
        Array.from({ length: b }, (_, j) => logit(j, i)),
        i,
      ) /
      (2 * b);
  }
  const loss = await run(clipLoss(v, t, { hardNegatives: true }), ['pixel_values', 'input_ids', 'attention_mask']);
  expect(loss[0]).toBeCloseTo(want, 4);
});

/**
 * Mean binary cross-entropy of a linear head (weight [E, outputs] row-major, bias) on rows of `emb` scaled to
 * length sqrt(E), over its first `used` outputs against `labels` [rows, used].
 */
function headBce(emb: Float32Array, e: number, head: { w: Float32Array; bias: Float32Array; outputs: number }, used: number, labels: number[]): number {
  const rows = labels.length / used;
  let bce = 0;
  for (let i = 0; i < rows; i++) {
    const row = Array.from(emb.subarray(i * e, (i + 1) * e));
    const unit = row.map((x) => (x / Math.hypot(...row)) * Math.sqrt(e));
    for (let a = 0; a < used; a++) {
      const z = head.bias[a] + unit.reduce((acc, x, d) => acc + x * head.w[d * head.outputs + a], 0);
      bce += (Math.log(1 + Math.exp(z)) - labels[i * used + a] * z) / (rows * used);
    }
  }
  return bce;
}

test("with attributes, the loss is InfoNCE plus the weighted binary cross-entropy of a linear head on each image's unit embedding scaled by sqrt(E)", async () => {
  const v: VisionConfig = { imageSize: 8, patch: 4, width: 16, layers: 1, heads: 2, mlpRatio: 2, embedDim: 8 };
  const t: TextConfig = { vocab: 12, contextLength: 4, width: 16, layers: 1, heads: 2, mlpRatio: 2, embedDim: 8 };
  const attributes = { count: 3, weight: 0.7 };
  const values = randomValues(clipLoss(v, t, { attributes }), 5);
  // The head starts at a zero bias; any bias must count.
  values.set('clip.vision.attributes.bias', Float32Array.of(0.3, -0.2, 0.1));
  const rng = new Rng(8);
  const b = 3;
  const labels = [1, 0, 1, 0, 0, 1, 1, 1, 0];
  const feeds = {
    pixel_values: randomPixels(rng, b, 8),
    input_ids: new ort.Tensor('int64', int64(Array.from({ length: b * 4 }, () => rng.int(12))), [b, 4]),
    attention_mask: new ort.Tensor('int64', int64(new Array(b * 4).fill(1)), [b, 4]),
    attributes: new ort.Tensor('float32', Float32Array.from(labels), [b, 3]),
  };
  const run = (def: NetDef, names: string[]) => firstOutput(def, values, feeds, names);
  const img = await run(imageEncoder(v), ['pixel_values']);
  const contrastive = (await run(clipLoss(v, t), ['pixel_values', 'input_ids', 'attention_mask']))[0];
  const bce = headBce(img, 8, { w: values.get('clip.vision.attributes.weight')!, bias: values.get('clip.vision.attributes.bias')!, outputs: 3 }, 3, labels);
  const loss = await run(clipLoss(v, t, { attributes }), ['pixel_values', 'input_ids', 'attention_mask', 'attributes']);
  expect(bce).toBeGreaterThan(0.1);
  expect(loss[0]).toBeCloseTo(contrastive + 0.7 * bce, 4);
});

test.each([
  ['the one attribute head also reads', false, 'clip.vision.attributes', 3, undefined],
  ["the text tower's own head reads", true, 'clip.text.attributes', 2, 1.3],
] as const)("with stated facts, %s each true caption's unit embedding, its first outputs against the caption's labels, at the weight asked", async (_what, textHead, name, outputs, statedWeight) => {
  const v: VisionConfig = { imageSize: 8, patch: 4, width: 16, layers: 1, heads: 2, mlpRatio: 2, embedDim: 8 };
  const t: TextConfig = { vocab: 12, contextLength: 4, width: 16, layers: 1, heads: 2, mlpRatio: 2, embedDim: 8 };
  const attributes = { count: 3, weight: 0.7, stated: 2, textHead, statedWeight };
  const values = randomValues(clipLoss(v, t, { attributes, hardNegatives: true }), 5);
  values.set('clip.vision.attributes.bias', Float32Array.of(0.3, -0.2, 0.1));
  if (textHead) values.set('clip.text.attributes.bias', Float32Array.of(-0.4, 0.2));
  const rng = new Rng(9);
  const b = 3;
  const stated = [1, 0, 0, 1, 1, 1];
  const feeds = {
    pixel_values: randomPixels(rng, b, 8),
    // Three captions, then a false twin of each: the head must read the captions only.
    input_ids: new ort.Tensor('int64', int64(Array.from({ length: 2 * b * 4 }, () => rng.int(12))), [2 * b, 4]),
    attention_mask: new ort.Tensor('int64', int64(new Array(2 * b * 4).fill(1)), [2 * b, 4]),
    attributes: new ort.Tensor('float32', Float32Array.from([1, 0, 1, 0, 0, 1, 1, 1, 0]), [b, 3]),
    stated_attributes: new ort.Tensor('float32', Float32Array.from(stated), [b, 2]),
  };
  const run = (def: NetDef, names: string[]) => firstOutput(def, values, feeds, names);
  const txt = await run(textEncoder(t), ['input_ids', 'attention_mask']);
  const bce = headBce(txt, 8, { w: values.get(`${name}.weight`)!, bias: values.get(`${name}.bias`)!, outputs }, 2, stated);
  const names = ['pixel_values', 'input_ids', 'attention_mask', 'attributes'];
  const without = (await run(clipLoss(v, t, { attributes: { count: 3, weight: 0.7 }, hardNegatives: true }), names))[0];
  const loss = await run(clipLoss(v, t, { attributes, hardNegatives: true }), [...names, 'stated_attributes']);
  expect(bce).toBeGreaterThan(0.1);
  expect(loss[0]).toBeCloseTo(without + (statedWeight ?? 0.7) * bce, 4);
  // Only a shared head needs the caption's facts among its outputs and one width for both towers.
  const more = { ...attributes, stated: 4 };
  if (textHead) expect(() => clipLoss(v, t, { attributes: more })(new Graph())).not.toThrow();
  else {
    expect(() => clipLoss(v, t, { attributes: more })(new Graph())).toThrow("the image head's 3 outputs");
    expect(() => clipLoss(v, { ...t, embedDim: 4 }, { attributes })(new Graph())).toThrow('one embedding width for both towers');
  }
});

test('a tiny CLIP learns 16 random image/caption pairs', async () => {
  const v: VisionConfig = { imageSize: 8, patch: 4, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 };
  const t: TextConfig = { vocab: 32, contextLength: 8, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 };
  const count = 16;
  const [bos, eos] = [30, 31];
  const L = t.contextLength;
  const rng = new Rng(21);
  const images = Array.from({ length: count }, () => Array.from({ length: 3 * 8 * 8 }, () => rng.normal()));
  const captions = Array.from({ length: count }, () => [bos, ...Array.from({ length: 2 + rng.int(4) }, () => rng.int(30)), eos]);
  const ids = captions.map((c) => Array.from({ length: L }, (_, j) => c[j] ?? eos));
  const masks = captions.map((c) => Array.from({ length: L }, (_, j) => (j < c.length ? 1 : 0)));
  const data = {
    size: count,
    batch: (idx: Uint32Array) => ({
      pixel_values: new ort.Tensor('float32', Float32Array.from([...idx].flatMap((i) => images[i])), [idx.length, 3, 8, 8]),
      input_ids: new ort.Tensor('int64', int64([...idx].flatMap((i) => ids[i])), [idx.length, L]),
      attention_mask: new ort.Tensor('int64', int64([...idx].flatMap((i) => masks[i])), [idx.length, L]),
    }),
  };
  const graph = buildTrainStep(clipLoss(v, t), { adamw: { weightDecay: 0 } });
  const result = await new Trainer({ graph, data, batchSize: count, steps: 300, schedule: { peak: 2e-3, warmup: 20 }, seed: 2 }).run();
  const first = result.history[0].loss;
  const last = result.history[result.history.length - 1].loss;
  console.log(`tiny CLIP: loss ${first.toFixed(3)} -> ${last.toFixed(3)} in ${result.step} steps`);
  expect(first).toBeGreaterThan(2);
  expect(last).toBeLessThan(0.1 * first);
});
