/**
 * The ShapesWorld pipeline from nothing to a captioning bundle: data set, mini-CLIP on the pairs
 * (the last `val` pairs kept out as a validation split), ē_img and the domain data from the CLIP's
 * own training images, then corpus training of denoiser and decoder on the caption text. Every
 * stage keeps its output in `work`, so a rerun skips what is done and an interrupted one resumes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadBundle, loadClip } from '../../worker/bundle/load';
import { Manifest } from '../../worker/bundle/manifest';
import { updateBundle } from '../../worker/bundle/write';
import { generateShapes, ShapesOptions } from './generate';
import { BuildRun, captionerStage } from '../captioner-stage';
import { MiniClipConfig, miniClipStage } from '../mini-clip';
import { DecoderConfig } from '../../worker/graph/decoder';
import { DenoiserConfig } from '../../worker/graph/denoiser';
import { VisionConfig } from '../../worker/graph/clip';
import { withHardNegatives } from './hard-negatives';
import { LOOKALIKE_GROUP, withLookalikes } from './lookalikes';
import { captionAttributes, sceneAttributes } from './attributes';
import { timed } from '../stage-times';
import { readShapesPart, SHAPES_CLIP, ShapesItem } from './data';

export interface ShapesBuild {
  seed: number;
  data: ShapesOptions;
  /** Pairs kept out of CLIP training: the validation split. */
  val: number;
  clipSteps: number;
  /** The mini-CLIP's peak learning rate; CLIP_TRAINING's when absent. */
  clipLr?: number;
  denoiserSteps: number;
  decoderSteps: number;
  draws: number;
  /** The augmentation step A; the paper's (400) when absent. */
  augmentStep?: number;
  /** The mini-CLIP's sizes; SHAPES_CLIP when absent. */
  clip?: MiniClipConfig;
  /** Train the mini-CLIP with a false caption of each image beside each true one. */
  hardNegatives?: boolean;
  /** Train the mini-CLIP with each scene's look-alike (one fact changed) in its batch. */
  lookalikes?: boolean;
  /** Weight of the mini-CLIP's image-side objective: a head on the image embedding predicts the scene's facts (sceneAttributes). */
  attributes?: number;
  /** With attributes: a head also predicts, from each caption's embedding, the shapes, colours and colour–shape pairs it states (captionAttributes); the image's head unless textHead. */
  statedAttributes?: boolean;
  /** With statedAttributes: the caption's facts are read by a head of the text tower's own, not the image's. */
  textHead?: boolean;
  /** With statedAttributes: the weight of the captions' facts, when not `attributes`. */
  statedWeight?: number;
  denoiser?: Partial<DenoiserConfig>;
  decoder?: Partial<DecoderConfig>;
}

/** The first default bundle's recipe (shapes-mini 1.0.0): the root every lever in LEVERS.md changes. */
export const SHAPES_FIRST: ShapesBuild = {
  seed: 0,
  data: { seed: 0, pairs: 5000, texts: 5000, heldOut: 500, size: 64 },
  val: 250,
  clipSteps: 3000,
  denoiserSteps: 6000,
  decoderSteps: 4000,
  draws: 4,
};

/** The decoder LEVERS.md measured to keep more of a scene than the first one (width 64, 2 layers). */
export const WIDE_DECODER: Partial<DecoderConfig> = { width: 128, layers: 3, prefixTokens: 4, prefixHidden: 128 };

/**
 * The 1.1.0 recipe (about 20 minutes on 2 cores): the first one with the wider decoder and a stem in the
 * mini-CLIP, LEVERS.md's stem-4 row; the root of the levers measured after it.
 */
export const SHAPES_STEM: ShapesBuild = {
  ...SHAPES_FIRST,
  decoder: WIDE_DECODER,
  clip: { ...SHAPES_CLIP, vision: { ...SHAPES_CLIP.vision, stem: { patch: 4, width: 48 } } },
};

/** Convolutions in front of the mini-CLIP's transformer (LEVERS.md's conv-stem): 3x3, stride 2 where marked. */
export const CONV_STEM: NonNullable<VisionConfig['convs']> = [
  { channels: 32, stride: 2 },
  { channels: 64, stride: 2 },
  { channels: 64, stride: 1 },
];
/** The mini-CLIP with the CNN image tower: the conv stem's convolutions, then two more at 128 channels, averaged over positions (`pool`). */
export const CNN_CLIP: MiniClipConfig = {
  ...SHAPES_CLIP,
  vision: { ...SHAPES_CLIP.vision, convs: [...CONV_STEM, { channels: 128, stride: 2 }, { channels: 128, stride: 1 }], pool: true },
};
/** CNN_CLIP with 128-d embeddings and a text tower of width 128, 3 layers (LEVERS.md's cnn-wide). */
export const CNN_WIDE_CLIP: MiniClipConfig = {
  ...CNN_CLIP,
  vision: { ...CNN_CLIP.vision, embedDim: 128 },
  text: { ...CNN_CLIP.text, width: 128, layers: 3, embedDim: 128 },
};
/**
 * The weight of the image-side attribute objective. Its cross-entropy is a mean over the labels (about ln 2 at the
 * start, most labels 0), so at 10 it starts beside InfoNCE's ln 128 ≈ 4.9 at a like size.
 */
export const ATTRIBUTE_WEIGHT = 10;
/** `base` with `pairs` pairs drawn independently (ShapesOptions.iid), the last `val` of them the validation split. */
export const iidRecipe = (base: ShapesBuild, pairs: number): ShapesBuild => ({ ...base, data: { ...base.data, pairs, iid: { val: base.val } } });

/**
 * The 1.4.0 recipe: LEVERS.md's cnn-wide, the mini-CLIP whose image tower tells shapes apart best (zero-shot
 * 96.7 %). Independently drawn pairs, the CNN image tower and the attribute head beside InfoNCE, at CLIP_TRAINING's
 * learning rate, 128-d embeddings and a 3-layer text tower. The root of the levers measured after it.
 */
export const SHAPES_CNN_WIDE: ShapesBuild = {
  ...iidRecipe(SHAPES_STEM, SHAPES_STEM.data.pairs),
  clip: CNN_WIDE_CLIP,
  attributes: ATTRIBUTE_WEIGHT,
};

/**
 * The weight of the captions' stated facts read by the text tower's own head: at the image's weight (10) the
 * caption embedding binds nothing a probe finds; at 100 it binds colour to shape (LEVERS.md's text-head-100).
 */
export const STATED_WEIGHT = 100;

/**
 * The committed default bundle's recipe (1.5.0): LEVERS.md's text-head-100, cnn-wide with each caption's stated
 * shapes, colours and colour–shape pairs predicted from its own embedding, so the decoder reads which colour goes with which
 * shape instead of a bag of words (bridge binding wrong 9.1 % against 45.0 % on the validation split).
 */
export const SHAPES_MINI: ShapesBuild = { ...SHAPES_CNN_WIDE, statedAttributes: true, textHead: true, statedWeight: STATED_WEIGHT };

/** The committed bundle's version: a new recipe is a new version, so an app holding an older one is seeded with it. */
export const SHAPES_MINI_VERSION = '1.5.0';

/** What a ShapesWorld bundle's domain data says about itself. */
export const SHAPES_DOMAIN = { description: 'synthetic ShapesWorld scenes — demonstration only', demonstration: true };

/** The data set in `work/data`, made once for these options. */
export async function shapesData(work: string, data: ShapesOptions): Promise<string> {
  const dir = path.join(work, 'data');
  const stamp = path.join(dir, 'options.json');
  const want = JSON.stringify(data);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  await generateShapes(dir, data);
  fs.writeFileSync(stamp, want);
  return dir;
}

/** The images a ShapesWorld bundle's CLIP was trained on, regenerated in `work/data` from its recorded recipe. */
export async function shapesTrainingImages(work: string, b: ShapesBuild): Promise<string[]> {
  return splitPairs(await shapesData(work, b.data), b.val).train.map((t) => t.image);
}

/** The pairs part split into CLIP training pairs and the validation images. */
export function splitPairs(dataDir: string, val: number): { train: ShapesItem[]; val: ShapesItem[] } {
  const pairs = readShapesPart(dataDir, 'pairs');
  if (val >= pairs.length) throw new Error(`ShapesWorld: a validation split of ${val} leaves no pairs to train CLIP on`);
  return { train: pairs.slice(0, pairs.length - val), val: pairs.slice(pairs.length - val) };
}

/** The ShapesWorld recipe a finished bundle records, or null. */
export function builtWith(out: string): unknown {
  const file = path.join(out, 'manifest.json');
  return fs.existsSync(file) ? ((JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest).provenance.recipe?.shapes ?? null) : null;
}

/**
 * Builds the recipe's bundle in `o.out`. `clipFrom`: a bundle whose recorded recipe agrees with `b` on every CLIP
 * input; its CLIP is copied instead of trained (the caller checks the agreement).
 */
export async function buildShapes(b: ShapesBuild, o: BuildRun & { clipFrom?: string }): Promise<{ manifest: Manifest; dataDir: string }> {
  const stage = (s: string, d: string) => o.onStage?.(s, d);
  const done = builtWith(o.out);
  if (done && JSON.stringify(done) === JSON.stringify(b)) return { manifest: loadBundle(o.out).manifest, dataDir: await shapesData(o.work, b.data) };
  if (done) throw new Error(`shapes build: ${o.out} holds a bundle of another recipe; choose another --out (bundles are never overwritten)`);
  if (b.data.iid && b.data.iid.val !== b.val) throw new Error(`shapes build: the data keeps ${b.data.iid.val} validation pairs apart, the recipe holds out ${b.val}`);
  if (b.statedAttributes && !b.attributes) throw new Error('shapes build: stated attributes are trained beside the attribute head, which needs an attribute weight');
  if (b.statedWeight !== undefined && !(b.statedWeight > 0)) throw new Error(`shapes build: a stated weight of ${b.statedWeight} is not a positive number`);
  if ((b.textHead || b.statedWeight) && !b.statedAttributes) throw new Error('shapes build: a text head or a stated weight is about stated attributes, which the recipe does not ask for');
  stage('data', `${b.data.pairs} pairs, ${b.data.texts} x 5 caption lines, ${b.data.heldOut} held-out images`);
  const dataDir = await timed(o.work, 'data', () => shapesData(o.work, b.data));
  const { train } = splitPairs(dataDir, b.val);
  const config = b.clip ?? SHAPES_CLIP;
  if (config.vision.imageSize !== b.data.size) throw new Error(`shapes build: the mini-CLIP takes ${config.vision.imageSize}-px images, the data has ${b.data.size}-px ones`);

  const items = b.lookalikes ? await withLookalikes(train, b.seed, b.data.size, path.join(o.work, 'lookalikes')) : train;
  const pairs = b.hardNegatives ? withHardNegatives(items, b.seed) : items;
  const labelled = b.attributes ? pairs.map((p, i) => ({ ...p, attributes: sceneAttributes(items[i].scene), ...(b.statedAttributes ? { stated: p.captions.map(captionAttributes) } : {}) })) : pairs;
  const clipDir = await miniClipStage(labelled, {
    work: o.work,
    config,
    corpus: 'ShapesWorld image-caption pairs',
    domain: SHAPES_DOMAIN,
    from: o.clipFrom,
    seed: b.seed,
    steps: b.clipSteps,
    lr: b.clipLr,
    group: b.lookalikes ? LOOKALIKE_GROUP : undefined,
    attributeWeight: b.attributes,
    textHead: b.textHead,
    statedWeight: b.statedWeight,
    name: `${o.name}-clip`,
    version: o.version,
    command: o.command,
    onStage: o.onStage,
    onProgress: o.onProgress,
    signal: o.signal,
  });
  const trained = await captionerStage(loadClip(clipDir), path.join(dataDir, 'texts.txt'), b, o);
  // The recipe goes into the bundle, so `eval --split` can rebuild exactly its held-out data.
  const manifest = updateBundle(o.out, {}, { provenance: { ...trained.provenance, recipe: { shapes: b } } }) as Manifest;
  return { manifest, dataDir };
}
