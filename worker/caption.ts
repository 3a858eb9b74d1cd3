/**
 * The captioning engine: images -> CLIP image embeddings -> diffusion bridge from step M ->
 * decoder -> caption text, in batches, with per-stage timings. Plain TypeScript over
 * onnxruntime; the Strapi worker, the CLI and the benchmarks all run this.
 */
import { Bridge } from './bridge';
import { Bundle } from './bundle/load';
import { ClipEncoders } from './clip/encoders';
import { COLOUR_BINS, colourHistograms } from './colour-histogram';
import { ImageError, preprocessBatch } from './clip/preprocess';
import { ClipTokenizer } from './clip/tokenizer';
import { bridgingSchedule, BridgeSchedule } from './diffusion';
import { DomainVerdict, judgeDomain } from './domain';
import { closeGenerator, generate, Generator, openGenerator } from './generate';
import { nearestCosine } from './nearest-caption';
import { QualityInputs, qualityOf } from './quality';
import { RuntimeConfig, runtimeConfig } from './runtime';

export interface CaptionOptions {
  /** Bridging depth M (0 = no bridging); the bundle's default when absent. */
  m?: number;
  /** DDIM steps S; the bundle's default when absent. */
  steps?: number;
  /** Beam width (1 = greedy). */
  beam?: number;
  /** Images run through the networks together. */
  batchSize?: number;
  /** Most tokens per caption (the decoder's own limit when absent). */
  maxTokens?: number;
  /** No caption repeats a run of this many tokens (0 allows it); generate's default when absent. */
  noRepeatNgram?: number;
}

/** Beam width and batch size when CaptionOptions names none. */
export const CAPTION_DEFAULTS = { beam: 3, batchSize: 8 };

export interface StageTimings {
  preprocess: number;
  clip: number;
  bridge: number;
  decoder: number;
}

export interface CaptionResult {
  file: string;
  caption: string;
  confidence: number;
  m: number;
  steps: number;
  bundle: string;
  version: string;
  /** Milliseconds per stage: the batch's time divided by the images in it. */
  timings: StageTimings;
  /**
   * How far the CLIP image embedding is from the bundle's own images (Mahalanobis), the share of
   * those images farther still (score), and 'out' beyond their 99th percentile; the same distance and
   * score for its colour histogram where the bundle has colour data, reported but not deciding
   * (worker/domain.ts); 'unknown' (all null) for a bundle without domain data.
   */
  domain: DomainVerdict;
  /**
   * Cosine of the bridged embedding to the nearest caption of the bundle's corpus (in diffusion
   * space): how close bridging landed to some caption the decoder was trained on; null for a bundle
   * without the corpus matrix.
   */
  nearestCaption: number | null;
  /** The probability that the caption makes no false claim, from the bundle's calibration; null for a bundle without one. */
  quality: number | null;
}

export interface CaptionFailure {
  file: string;
  error: string;
}

export type ImageSource = string | { name: string; data: Buffer };

export class Captioner {
  private constructor(
    readonly bundle: Bundle,
    private readonly clip: ClipEncoders,
    private readonly bridge: Bridge,
    private readonly gen: Generator,
    private readonly tokenizer: ClipTokenizer,
  ) {}

  static async open(bundle: Bundle, runtime: RuntimeConfig = runtimeConfig(), log?: (l: string) => void): Promise<Captioner> {
    const m = bundle.manifest;
    const tokenizer = ClipTokenizer.load(bundle.file(m.clip.tokenizer));
    const bad = bundle.vocab.find((id) => id >= tokenizer.vocabSize);
    if (bad !== undefined) throw new Error(`bundle ${bundle.dir}: decoder vocabulary names tokenizer id ${bad}, beyond the tokenizer's ${tokenizer.vocabSize}`);
    const clip = await ClipEncoders.open(bundle.file(m.clip.vision), bundle.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: m.clip.embedDim }, runtime, log);
    const gen = await openGenerator(m.decoder.config, bundle.decoder, runtime, log);
    return new Captioner(bundle, clip, new Bridge(bundle, runtime, log), gen, tokenizer);
  }

  /** The bridging schedule the options ask for, defaulted from the bundle's manifest. */
  private settings(o: CaptionOptions): BridgeSchedule {
    const d = this.bundle.manifest.diffusion;
    return bridgingSchedule(o.m ?? d.defaultM, o.steps, d.ddimSteps);
  }

  /**
   * CLIP image embeddings and bridged embeddings (the decoder's input), each [n, embedDim], and
   * colour histograms (where the bundle has colour data) of the readable images of one batch, with the index of each in `sources`, the failures, and the stage
   * times so far. `clipOnly` stops before bridging (ē_img is computed from these).
   */
  async embed(sources: ImageSource[], o: CaptionOptions & { clipOnly?: boolean } = {}) {
    const man = this.bundle.manifest;
    const { m, steps } = this.settings(o);
    const names = sources.map((s) => (typeof s === 'string' ? s : s.name));
    let t = performance.now();
    const lap = () => -t + (t = performance.now());
    const image = { size: man.clip.imageSize, mean: man.clip.mean, std: man.clip.std, fit: man.clip.fit };
    const pre = await preprocessBatch(
      sources.map((s) => (typeof s === 'string' ? s : s.data)),
      image,
    );
    const colours = this.bundle.colourDomain ? colourHistograms(pre.pixels, pre.ok.length, image) : null;
    const times = { preprocess: lap(), clip: 0, bridge: 0 };
    // Errors come in source order for the sources not in `ok`.
    const failedAt = names.map((_, i) => i).filter((i) => !pre.ok.includes(i));
    const failures = pre.errors.map((e: ImageError, k) => ({ index: failedAt[k], file: names[failedAt[k]], error: e.reason }));
    const n = pre.ok.length;
    let bridged = new Float32Array(0);
    let imageEmbeds = new Float32Array(0);
    if (n > 0) {
      imageEmbeds = (await this.clip.images(pre.pixels, n)).slice(0, n * man.clip.embedDim);
      times.clip = lap();
      if (!o.clipOnly) bridged = (await this.bridge.run(imageEmbeds, n, m, steps)).slice(0, n * man.clip.embedDim);
      times.bridge = lap();
    }
    return { imageEmbeds, colours, bridged, ok: pre.ok, names, failures, times, m, steps };
  }

  /** Captions for each source in order; an unreadable image gets a failure entry and the others go on. */
  async caption(sources: ImageSource[], o: CaptionOptions = {}): Promise<(CaptionResult | CaptionFailure)[]> {
    return (await this.captionWithInputs(sources, o)).map((r) => {
      if (isFailure(r)) return r;
      const { inputs, ...rest } = r;
      void inputs;
      return rest;
    });
  }

  /** As caption(), each result with the inputs of its quality estimate (the calibration fits on these). */
  async captionWithInputs(sources: ImageSource[], o: CaptionOptions = {}): Promise<((CaptionResult & { inputs: QualityInputs }) | CaptionFailure)[]> {
    const man = this.bundle.manifest;
    const batchSize = o.batchSize ?? CAPTION_DEFAULTS.batchSize;
    const results: ((CaptionResult & { inputs: QualityInputs }) | CaptionFailure)[] = [];
    for (let start = 0; start < sources.length; start += batchSize) {
      const chunk = sources.slice(start, start + batchSize);
      const e = await this.embed(chunk, o);
      const byIndex = new Map<number, (CaptionResult & { inputs: QualityInputs }) | CaptionFailure>();
      for (const f of e.failures) byIndex.set(f.index, { file: f.file, error: f.error });
      const n = e.ok.length;
      if (n > 0) {
        const started = performance.now();
        const caps = await generate(this.gen, e.bridged, n, {
          bos: man.decoder.bos,
          eos: man.decoder.eos,
          stop: man.decoder.stop,
          beam: o.beam ?? CAPTION_DEFAULTS.beam,
          maxTokens: o.maxTokens,
          noRepeatNgram: o.noRepeatNgram,
        });
        const timings = { preprocess: e.times.preprocess / chunk.length, clip: e.times.clip / n, bridge: e.times.bridge / n, decoder: (performance.now() - started) / n };
        const dim = man.clip.embedDim;
        caps.forEach((c, k) => {
          const caption = this.tokenizer.decode(c.tokens.map((id) => this.bundle.vocab[id])).trim();
          const colour = this.bundle.colourDomain && e.colours ? { model: this.bundle.colourDomain, histogram: e.colours.subarray(k * COLOUR_BINS, (k + 1) * COLOUR_BINS) } : null;
          const domain = judgeDomain(this.bundle.domain, e.imageEmbeds.subarray(k * dim, (k + 1) * dim), colour);
          const nearestCaption = this.bundle.corpus ? nearestCosine(this.bundle.corpus, dim, e.bridged.subarray(k * dim, (k + 1) * dim)) : null;
          const inputs: QualityInputs = { confidence: c.confidence, minLogprob: c.minLogprob, tokens: c.tokens.length, distance: domain.distance, score: domain.score, nearestCaption };
          const quality = man.quality ? qualityOf(man.quality, inputs) : null;
          byIndex.set(e.ok[k], {
            file: e.names[e.ok[k]],
            caption,
            confidence: c.confidence,
            m: e.m,
            steps: e.steps,
            bundle: man.name,
            version: man.version,
            timings,
            domain,
            nearestCaption,
            quality,
            inputs,
          });
        });
      }
      chunk.forEach((_, k) => results.push(byIndex.get(k)!));
    }
    return results;
  }

  async close(): Promise<void> {
    await Promise.all([this.clip.close(), this.bridge.close(), closeGenerator(this.gen)]);
  }
}

export const isFailure = (r: CaptionResult | CaptionFailure): r is CaptionFailure => 'error' in r;
