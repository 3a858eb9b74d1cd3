/**
 * The harness's measurements on one trained ShapesWorld bundle: embeddings of the evaluation
 * images and their references, the paper's conditioning variants (plain, bridging, augmentation,
 * CapDec, C3, DeCap, oracle) with a decoder trained for each where the method needs its own, and
 * captions scored against the references.
 */
import * as path from 'path';
import { Bridge } from '../../worker/bridge';
import { Bundle } from '../../worker/bundle/load';
import { DenoiserConfig } from '../../worker/graph/denoiser';
import { ClipEncoders } from '../../worker/clip/encoders';
import { ClipTokenizer } from '../../worker/clip/tokenizer';
import { CorpusOptions, readCorpus } from '../../worker/corpus/read';
import { EvalItem } from './references';
import { closeGenerator, generate, openGenerator } from '../../worker/generate';
import { CaptionScores, scoreCaptions } from '../../worker/metrics';
import { RuntimeConfig, runtimeConfig } from '../../worker/runtime';
import { DECODER_TRAINING, trainDecoder } from '../../worker/train/decoder';
import { textZ } from '../../worker/train/eval-text';
import { Rng } from '../../worker/train/rng';
import { embedTexts } from '../../worker/train/text-embeddings';
import { Progress } from '../../worker/train/trainer';
import { encodeCaptions } from '../../worker/train/vocab';
import { loadPixels } from '../mini-clip';

/** CapDec's noise variance on normalised text embeddings (σ² = 0.016, as in the CapDec paper, Nukrai et al. 2022). */
const CAPDEC_VARIANCE = 0.016;
/** DeCap's softmax sharpness 1/τ over the text memory. */
const DECAP_SHARPNESS = 100;

export type Rows = Float32Array;

export function normalise(rows: Rows, dim: number, scale = 1): Rows {
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length / dim; r++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += rows[r * dim + i] ** 2;
    const k = scale / Math.sqrt(s || 1);
    for (let i = 0; i < dim; i++) out[r * dim + i] = rows[r * dim + i] * k;
  }
  return out;
}

export function cosine(a: Rows, ai: number, b: Rows, bi: number, dim: number): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < dim; i++) {
    const x = a[ai * dim + i],
      y = b[bi * dim + i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb || 1);
}

/** Rows of `rows` picked by index. */
export function take(rows: Rows, dim: number, idx: ArrayLike<number>): Rows {
  const out = new Float32Array(idx.length * dim);
  for (let k = 0; k < idx.length; k++) out.set(rows.subarray(idx[k] * dim, (idx[k] + 1) * dim), k * dim);
  return out;
}

/** Everything measured once per evaluation set: CLIP embeddings of images and of all references. */
export interface EvalSet {
  items: EvalItem[];
  image: Rows;
  /** [n, refs] reference text embeddings, raw. */
  text: Rows;
  refs: number;
}

export class Harness {
  readonly dim: number;
  readonly scale: number;
  private readonly bridge: Bridge;
  private readonly textBridge: Bridge;

  private constructor(
    readonly bundle: Bundle,
    readonly tok: ClipTokenizer,
    readonly enc: ClipEncoders,
    readonly runtime: RuntimeConfig,
    readonly cacheDir?: string,
  ) {
    this.dim = bundle.manifest.clip.embedDim;
    this.scale = bundle.manifest.diffusion.scale;
    this.bridge = new Bridge(bundle, runtime);
    // The same bridge over text embeddings (centred by ē_text): how much of a caption survives M.
    this.textBridge = new Bridge({ ...bundle, imageMean: bundle.textMean }, runtime);
  }

  static async open(bundle: Bundle, cacheDir?: string, runtime = runtimeConfig()): Promise<Harness> {
    const m = bundle.manifest;
    const enc = await ClipEncoders.open(bundle.file(m.clip.vision), bundle.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: m.clip.embedDim }, runtime);
    return new Harness(bundle, ClipTokenizer.load(bundle.file(m.clip.tokenizer)), enc, runtime, cacheDir);
  }

  async texts(lines: string[]): Promise<Rows> {
    const m = this.bundle.manifest;
    return embedTexts(this.enc, this.tok, m.files[m.clip.text].sha256, m.clip.contextLength, lines, { cacheDir: this.cacheDir });
  }

  /** CLIP embeddings of image files, raw, a row each. */
  async images(files: string[]): Promise<Rows> {
    const pixels = await loadPixels(files, this.bundle.manifest.clip.imageSize);
    const px = pixels.length / files.length;
    const image = new Float32Array(files.length * this.dim);
    for (let s = 0; s < files.length; s += 64) {
      const n = Math.min(64, files.length - s);
      image.set((await this.enc.images(pixels.subarray(s * px, (s + n) * px), n)).subarray(0, n * this.dim), s * this.dim);
    }
    return image;
  }

  async evalSet(items: EvalItem[]): Promise<EvalSet> {
    const refs = Math.min(...items.map((it) => it.references.length));
    const image = await this.images(items.map((it) => it.file));
    const text = await this.texts(items.flatMap((it) => it.references.slice(0, refs)));
    return { items, image, text, refs };
  }

  /** Image embeddings bridged from M in S steps (M = 0: eq. 6 with ē_img only). */
  bridged(set: EvalSet, m: number, s: number): Promise<Rows> {
    return this.bridge.run(set.image, set.items.length, m, m === 0 ? 0 : s);
  }

  /** Reference j of every image, in diffusion space, optionally bridged like an image from M. */
  async textZ(set: EvalSet, j: number, m = 0, s = 5): Promise<Rows> {
    const rows = take(
      set.text,
      this.dim,
      set.items.map((_, i) => i * set.refs + j),
    );
    return m === 0 ? textZ(rows, this.bundle.textMean, this.scale) : this.textBridge.run(rows, set.items.length, m, s);
  }

  /** Mean cosine of each row of `a` with the rows of `b` it is paired with (or, unpaired, a derangement of them). */
  pairedCosine(a: Rows, b: Rows, paired: boolean, seed = 7): number {
    const n = a.length / this.dim;
    const perm = paired ? Array.from({ length: n }, (_, i) => i) : derangement(n, seed);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += cosine(a, i, b, perm[i], this.dim);
    return sum / n;
  }

  /** CapDec: C·n(e_img) at inference. */
  capdec(set: EvalSet): Rows {
    return normalise(set.image, this.dim, this.scale);
  }

  /** DeCap: the image embedding projected on the text memory, softmax(100 · cos) weights. */
  decap(set: EvalSet, memory: Rows): Rows {
    const d = this.dim;
    const img = normalise(set.image, d);
    const n = img.length / d;
    const rowsM = memory.length / d;
    const out = new Float32Array(n * d);
    const w = new Float64Array(rowsM);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let r = 0; r < rowsM; r++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += img[i * d + k] * memory[r * d + k];
        w[r] = DECAP_SHARPNESS * s;
        if (w[r] > max) max = w[r];
      }
      let z = 0;
      for (let r = 0; r < rowsM; r++) z += w[r] = Math.exp(w[r] - max);
      for (let r = 0; r < rowsM; r++) {
        const k = w[r] / z;
        if (k > 1e-8) for (let c = 0; c < d; c++) out[i * d + c] += k * memory[r * d + c];
      }
    }
    return normalise(out, d, this.scale);
  }

  /** Captions from a decoder for condition rows, scored against the set's references. */
  async caption(decoder: Map<string, Float32Array>, conds: Rows, set: EvalSet, beam: number): Promise<{ captions: string[]; scores: CaptionScores }> {
    const m = this.bundle.manifest;
    const gen = await openGenerator(m.decoder.config, decoder, this.runtime);
    const captions: string[] = [];
    try {
      const n = set.items.length;
      for (let s = 0; s < n; s += 100) {
        const k = Math.min(100, n - s);
        const caps = await generate(gen, conds.subarray(s * this.dim, (s + k) * this.dim), k, { bos: m.decoder.bos, eos: m.decoder.eos, stop: m.decoder.stop, beam });
        for (const c of caps) captions.push(this.tok.decode(c.tokens.map((id) => this.bundle.vocab[id])).trim());
      }
    } finally {
      await closeGenerator(gen);
    }
    return {
      captions,
      scores: scoreCaptions(
        captions,
        set.items.map((it) => it.references),
      ),
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.enc.close(), this.bridge.close(), this.textBridge.close()]);
  }
}

function derangement(n: number, seed: number): number[] {
  const shift = 1 + new Rng(seed, 0).int(Math.max(1, n - 1));
  return Array.from({ length: n }, (_, i) => (i + shift) % n);
}

export type Variant = 'plain' | 'capdec' | 'c3' | 'decap';

export interface BaselineTraining {
  corpus: string;
  corpusOptions?: CorpusOptions;
  runDir: string;
  seed: number;
  steps: number;
  draws: number;
  onProgress?: (stage: string, p: Progress) => void;
}

/**
 * Training conditions of each baseline decoder from the corpus's text embeddings [n, dim], as
 * [K, n, dim] draws, all at radius C like the bundle's own (so every decoder sees one scale):
 * plain z_text; CapDec n(n(e) + ε); C3 n(n(n(e) − ē_text) + ε); DeCap n(e).
 */
function trainingConds(h: Harness, v: Variant, embeds: Rows, draws: number, seed: number): Rows {
  const d = h.dim;
  const n = embeds.length / d;
  if (v === 'plain') return textZ(embeds, h.bundle.textMean, h.scale);
  if (v === 'decap') return normalise(embeds, d, h.scale);
  const base = v === 'capdec' ? normalise(embeds, d) : normalise(textZ(embeds, h.bundle.textMean, 1), d);
  const sigma = Math.sqrt(CAPDEC_VARIANCE);
  const out = new Float32Array(draws * n * d);
  for (let k = 0; k < draws; k++) {
    const rng = new Rng(seed, 11, k);
    for (let i = 0; i < n * d; i++) out[k * n * d + i] = base[i] + sigma * rng.normal();
  }
  return normalise(out, d, h.scale);
}

/** The decoders of every baseline, trained one after another on the same corpus (each resumed from its own run folder). */
export async function trainBaselines(h: Harness, o: BaselineTraining): Promise<Record<Variant, Awaited<ReturnType<typeof trainBaseline>>>> {
  return { plain: await trainBaseline(h, 'plain', o), capdec: await trainBaseline(h, 'capdec', o), c3: await trainBaseline(h, 'c3', o), decap: await trainBaseline(h, 'decap', o) };
}

/** A decoder like the bundle's, trained on the corpus with one baseline's conditions (resumed from runDir). */
async function trainBaseline(h: Harness, v: Variant, o: BaselineTraining): Promise<{ weights: Map<string, Float32Array>; memory: Rows }> {
  const lines = (await readCorpus(o.corpus, o.corpusOptions)).train;
  const embeds = await h.texts(lines);
  const vocab = h.bundle.vocab;
  const captions = encodeCaptions(
    lines.map((l) => h.tok.tokens(l)),
    vocab,
    lines,
  );
  const conds = trainingConds(h, v, embeds, v === 'capdec' || v === 'c3' ? o.draws : 1, o.seed);
  const r = await trainDecoder(captions, conds, h.bundle.manifest.decoder.config, {
    ...DECODER_TRAINING,
    steps: o.steps,
    seed: o.seed,
    runDir: path.join(o.runDir, v),
    onProgress: (p) => o.onProgress?.(`decoder:${v}`, p),
  });
  return { weights: r.params, memory: normalise(embeds, h.dim) };
}

/** Mean over rows of `a` of the largest cosine with any row of `memory` (both [.., dim]): how close each lands to some corpus caption. */
export function nearestCosine(a: Rows, memory: Rows, dim: number): number {
  const x = normalise(a, dim);
  const m = normalise(memory, dim);
  const n = x.length / dim;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let r = 0; r < m.length / dim; r++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += x[i * dim + k] * m[r * dim + k];
      if (s > best) best = s;
    }
    sum += best;
  }
  return sum / n;
}

/** A bridge like the bundle's with another denoiser (the capacity diagnostic). */
export function bridgeWith(h: Harness, weights: Map<string, Float32Array>, cfg: DenoiserConfig): Bridge {
  const m = h.bundle.manifest;
  return new Bridge({ ...h.bundle, denoiser: weights, manifest: { ...m, diffusion: { ...m.diffusion, denoiser: cfg } } }, h.runtime);
}

/** Image→text and text→image recall@K of CLIP on a set (a hit: any of the image's own references). */
export function retrieval(set: EvalSet, dim: number, ks: number[]): { imageToText: Record<number, number>; textToImage: Record<number, number> } {
  const n = set.items.length;
  const img = normalise(set.image, dim);
  const txt = normalise(set.text, dim);
  const t = txt.length / dim;
  const sim = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += img[i * dim + k] * txt[j * dim + k];
    return s;
  };
  const i2t: Record<number, number> = {};
  const t2i: Record<number, number> = {};
  for (const k of ks) i2t[k] = t2i[k] = 0;
  const rankOf = (scores: Float64Array, hit: (j: number) => boolean) => {
    let best = -Infinity;
    scores.forEach((s, j) => hit(j) && s > best && (best = s));
    let rank = 0;
    scores.forEach((s, j) => !hit(j) && s > best && rank++);
    return rank;
  };
  for (let i = 0; i < n; i++) {
    const scores = Float64Array.from({ length: t }, (_, j) => sim(i, j));
    const r = rankOf(scores, (j) => Math.floor(j / set.refs) === i);
    for (const k of ks) if (r < k) i2t[k] += 1 / n;
  }
  for (let j = 0; j < t; j++) {
    const scores = Float64Array.from({ length: n }, (_, i) => sim(i, j));
    const r = rankOf(scores, (i) => i === Math.floor(j / set.refs));
    for (const k of ks) if (r < k) t2i[k] += 1 / t;
  }
  return { imageToText: i2t, textToImage: t2i };
}
