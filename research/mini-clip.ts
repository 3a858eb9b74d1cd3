/**
 * A harness's mini-CLIP: a small image tower (a ViT, or a pooled CNN) and a text tower trained contrastively on the
 * harness's image-caption pairs, written as a CLIP-only bundle with the Hugging Face export
 * contract (the product then treats it exactly like a real CLIP).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadClip, sha256File } from '../worker/bundle/load';
import { ClipManifest } from '../worker/bundle/manifest';
import { writeBundle } from '../worker/bundle/write';
import { makeClipTokenizer, tokenizerJsonText } from '../worker/clip/make-tokenizer';
import { CLIP_MEAN, CLIP_STD, preprocessBatch } from '../worker/clip/preprocess';
import { ClipTokenizer } from '../worker/clip/tokenizer';
import { imageEncoder, textEncoder, TextConfig, VisionConfig } from '../worker/graph/clip';
import { buildInference } from '../worker/graph/train-step';
import { CLIP_TRAINING, ClipPairs, trainClip } from '../worker/train/clip';
import { Progress } from '../worker/train/trainer';
import { imagesMean } from '../worker/images-mean';
import { digest, sameInputs } from './stage-stamp';
import { timed } from './stage-times';

/** A mini-CLIP's sizes: the towers and the BPE vocabulary learnt from the captions. */
export interface MiniClipConfig {
  vision: VisionConfig;
  text: Omit<TextConfig, 'vocab'>;
  vocabSize: number;
  /** How images are fitted to the square (manifest clip.fit): 'trim' for art on plain backgrounds. */
  fit?: 'trim';
}

export interface ClipPair {
  image: string;
  captions: string[];
  /** A false caption for each caption (hard negatives); all pairs have them or none does. */
  negatives?: string[];
  /** 0/1 facts of the image for the image-side objective (MiniClipOptions.attributeWeight), as many for every pair. */
  attributes?: number[];
  /** The facts each caption states, in the first places of `attributes` (ClipPairs.attributes.stated); all pairs have them or none does. */
  stated?: number[][];
}

/** CLIP-normalised pixels [n, 3, S, S] of image files; any unreadable file is an error here (the data is ours). */
export async function loadPixels(files: string[], size: number): Promise<Float32Array> {
  const px = 3 * size * size;
  const out = new Float32Array(files.length * px);
  for (let start = 0; start < files.length; start += 64) {
    const chunk = files.slice(start, start + 64);
    const pre = await preprocessBatch(chunk, { size, mean: CLIP_MEAN, std: CLIP_STD });
    if (pre.errors.length) throw new Error(`mini-CLIP data: ${pre.errors[0].message}`);
    out.set(pre.pixels.subarray(0, chunk.length * px), start * px);
  }
  return out;
}

export interface MiniClipOptions {
  config: MiniClipConfig;
  /** What the pairs are, in words, for the provenance. */
  corpus: string;
  seed: number;
  steps: number;
  /** Peak learning rate; CLIP_TRAINING's when absent. */
  lr?: number;
  runDir: string;
  /** Name and version of the CLIP-only bundle. */
  name: string;
  version: string;
  command: string;
  /** Consecutive pairs that always share a batch (look-alike scenes); 1 when absent. */
  group?: number;
  /** Weight of the image-side objective on the pairs' attributes (ClipLossOpts.attributes); none when absent. */
  attributeWeight?: number;
  /** With stated facts: a head of the text tower's own reads them (ClipLossOpts.attributes.textHead). */
  textHead?: boolean;
  /** With stated facts: their term's weight, when not attributeWeight. */
  statedWeight?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Trains the mini-CLIP on `items` and writes it to `out` as a CLIP-only bundle. */
export async function buildMiniClip(items: ClipPair[], out: string, o: MiniClipOptions): Promise<ClipManifest> {
  const captions = items.flatMap((it) => it.captions);
  const k = items[0]?.captions.length ?? 0;
  if (k === 0 || captions.length !== items.length * k) throw new Error('mini-CLIP: every pair needs the same number (> 0) of captions');
  // Both go into a stage's digest: one that does not train what it records would pass for another CLIP.
  if ((o.textHead || o.statedWeight !== undefined) && !(o.attributeWeight && items.some((it) => it.stated)))
    throw new Error('mini-CLIP: a text head or a stated weight needs an attribute weight and stated facts on the pairs');
  if (o.statedWeight !== undefined && !(o.statedWeight > 0)) throw new Error(`mini-CLIP: a stated weight of ${o.statedWeight} is not a positive number`);
  const { vision, vocabSize } = o.config;
  const tokText = tokenizerJsonText(makeClipTokenizer(captions, { vocabSize }));
  const tokDir = path.join(o.runDir, 'tokenizer');
  fs.mkdirSync(tokDir, { recursive: true });
  fs.writeFileSync(path.join(tokDir, 'tokenizer.json'), tokText);
  const tok = ClipTokenizer.load(tokDir);
  const text: TextConfig & { length: number } = { ...o.config.text, vocab: tok.vocabSize, length: o.config.text.contextLength };
  const enc = tok.encode(captions, { maxLength: text.length });
  const negatives = items.every((it) => it.negatives?.length === k)
    ? tok.encode(
        items.flatMap((it) => it.negatives!),
        { maxLength: text.length },
      )
    : undefined;
  if (!negatives && items.some((it) => it.negatives)) throw new Error('mini-CLIP: hard negatives must come with every pair, one per caption');
  const attributes = o.attributeWeight ? attributeLabels(items, o.attributeWeight, { textHead: o.textHead, weight: o.statedWeight }) : undefined;
  const pixels = await loadPixels(
    items.map((it) => it.image),
    vision.imageSize,
  );
  const r = await trainClip({ pixels, ids: enc.ids, mask: enc.mask, k, negatives, group: o.group, attributes }, vision, text, {
    ...CLIP_TRAINING,
    ...(o.lr ? { lr: o.lr } : {}),
    steps: o.steps,
    seed: o.seed,
    runDir: path.join(o.runDir, 'clip'),
    onProgress: o.onProgress,
    signal: o.signal,
  });
  if (r.cancelled) throw new Error('mini-CLIP: cancelled (run again to resume)');
  const last = r.history[r.history.length - 1];
  return writeBundle<ClipManifest>(
    out,
    {
      name: o.name,
      version: o.version,
      createdAt: new Date().toISOString(),
      provenance: {
        corpus: `${items.length} ${o.corpus} (${k} captions each)`,
        seeds: { clip: o.seed },
        commands: [o.command],
        notes: `mini-CLIP trained here: ${r.step} steps of symmetric InfoNCE, batch ${CLIP_TRAINING.batchSize}, peak learning rate ${o.lr ?? CLIP_TRAINING.lr}${negatives ? ' plus a hard negative per caption' : ''}${o.group ? ` in groups of ${o.group} look-alike scenes` : ''}${attributes ? headsNote(attributes) : ''}, final loss ${last.loss.toFixed(3)}, logit scale learnt`,
      },
      clip: {
        vision: 'clip/vision_model.onnx',
        text: 'clip/text_model.onnx',
        tokenizer: 'clip/tokenizer.json',
        imageSize: vision.imageSize,
        mean: CLIP_MEAN,
        std: CLIP_STD,
        ...(o.config.fit ? { fit: o.config.fit } : {}),
        embedDim: vision.embedDim,
        contextLength: text.length,
      },
    },
    {
      'clip/vision_model.onnx': buildInference(imageEncoder(vision), r.params),
      'clip/text_model.onnx': buildInference(textEncoder(text), r.params),
      'clip/tokenizer.json': tokText,
    },
  );
}

/** The provenance's words for the attribute heads. */
function headsNote(a: NonNullable<ClipPairs['attributes']>): string {
  const s = a.stated;
  const said =
    s &&
    `, ${s.textHead ? 'a head of the text tower' : 'the same head'} predicting the ${s.count} facts each caption states from its embedding, at ${s.weight ? `weight ${s.weight}` : 'the same weight'}`;
  return ` plus ${a.weight} x the binary cross-entropy of a linear head predicting ${a.count} facts of each image from its embedding (trained only)${said ?? ''}`;
}

/** The pairs' attributes as ClipPairs.attributes: every pair must have the same number of them. */
function attributeLabels(items: ClipPair[], weight: number, statedHead: { textHead?: boolean; weight?: number }): NonNullable<ClipPairs['attributes']> {
  const count = items[0]?.attributes?.length ?? 0;
  if (count === 0 || items.some((it) => it.attributes?.length !== count)) throw new Error('mini-CLIP: an attribute weight needs the same number (> 0) of attributes on every pair');
  const labels = Float32Array.from(items.flatMap((it) => it.attributes!));
  if (!items.some((it) => it.stated)) return { labels, count, weight };
  const statedCount = items[0].stated?.[0]?.length ?? 0;
  const ok = (it: ClipPair) => it.stated?.length === it.captions.length && it.stated.every((s) => s.length === statedCount);
  if (statedCount === 0 || statedCount > count || !items.every(ok)) throw new Error(`mini-CLIP: stated facts must come with every caption, as many (1-${count}) for each`);
  return {
    labels,
    count,
    weight,
    stated: {
      labels: Float32Array.from(items.flatMap((it) => it.stated!.flat())),
      count: statedCount,
      ...(statedHead.textHead ? { textHead: true } : {}),
      ...(statedHead.weight ? { weight: statedHead.weight } : {}),
    },
  };
}

export interface ClipStageOptions extends Omit<MiniClipOptions, 'runDir' | 'onProgress'> {
  /** The build's work folder: the CLIP goes to work/clip, its checkpoints to work/runs. */
  work: string;
  /** The domain of the CLIP's training images, in words (manifest domain). */
  domain: { description: string; demonstration?: boolean };
  /** A bundle whose CLIP was trained on these very inputs (the caller compares its recorded recipe): its CLIP part is copied instead of trained again. */
  from?: string;
  onStage?: (stage: string, detail: string) => void;
  onProgress?: (stage: string, p: Progress) => void;
}

/** The CLIP part of bundle `from` (towers, tokenizer, means, domain data) written to `to` as a CLIP-only bundle, as the stage writes one. */
function copyClip(from: string, to: string): void {
  const { name, version, createdAt, provenance, clip, means, domain } = loadClip(from).manifest;
  const files = [clip.vision, clip.text, clip.tokenizer, ...(means ? [means] : []), ...(domain ? [domain.file] : [])];
  writeBundle<ClipManifest>(to, { name, version, createdAt, provenance, clip, means, domain }, Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(from, f))])));
}

/**
 * A build's mini-CLIP stage: trained on `pairs` with ē_img and the domain data of their images,
 * written beside work/clip and renamed into it when whole, so a stopped build resumes (from the
 * checkpoints) and a finished one is skipped; other inputs train it afresh. Returns work/clip.
 */
export async function miniClipStage(pairs: ClipPair[], o: ClipStageOptions): Promise<string> {
  const clipDir = path.join(o.work, 'clip');
  const runDir = path.join(o.work, 'runs');
  const inputs = {
    config: o.config,
    steps: o.steps,
    seed: o.seed,
    ...(o.lr ? { lr: o.lr } : {}),
    ...(o.group ? { group: o.group } : {}),
    ...(o.attributeWeight ? { attributeWeight: o.attributeWeight } : {}),
    ...(o.textHead ? { textHead: true } : {}),
    ...(o.statedWeight ? { statedWeight: o.statedWeight } : {}),
    pairs: digest(pairs.map((p) => [sha256File(p.image), p.captions, ...(p.negatives ? [p.negatives] : []), ...(o.attributeWeight ? [p.attributes ?? null, ...(p.stated ? [p.stated] : [])] : [])])),
  };
  if (sameInputs(clipDir, inputs, [path.join(runDir, 'clip'), path.join(runDir, 'tokenizer')]) && fs.existsSync(path.join(clipDir, 'manifest.json'))) return clipDir;
  const tmp = `${clipDir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  if (o.from) {
    o.onStage?.('clip', `the CLIP of ${o.from}, trained on these inputs`);
    copyClip(o.from, tmp);
    fs.renameSync(tmp, clipDir);
    return clipDir;
  }
  o.onStage?.('clip', `${o.steps} steps on ${pairs.length} images`);
  await timed(o.work, 'clip', async () => {
    await buildMiniClip(pairs, tmp, { ...o, runDir, onProgress: (p) => o.onProgress?.('clip', p) });
    o.onStage?.('images-mean', `${pairs.length} CLIP training images`);
    await imagesMean(
      tmp,
      pairs.map((t) => t.image),
      { command: 'the mini-CLIP training images', ...o.domain },
    );
  });
  fs.renameSync(tmp, clipDir);
  return clipDir;
}
