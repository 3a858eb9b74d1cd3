/**
 * `altbridge shapes levers`: where capacity pays. Each lever is a ShapesWorld recipe built from the
 * same data; each is scored on the validation split (the held-out images stay for the report) on
 * the oracle row (the decoder fed each caption's own text embedding: what the CLIP and the decoder
 * keep of a scene) and on Diffusion Bridge (bridged images), with the shape, binding and count error rates
 * of both and the CLIP's image -> text R@1. Levers with the same CLIP recipe share one trained CLIP;
 * every stage and every finished lever is kept, so a stopped run resumes where it stopped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LAB_BUNDLE, loadBundle } from '../../worker/bundle/load';
import { CLIP_TRAINING } from '../../worker/train/clip';
import { BRIDGE_DEFAULTS } from '../../worker/diffusion';
import { CaptionScores } from '../../worker/metrics';
import { PACKAGE_ROOT } from '../../worker/package-root';
import { Progress } from '../../worker/train/trainer';
import { captionerSizes } from '../../worker/train/stages/sizes';
import { shapesSplit } from '../eval/references';
import { cosine, EvalSet, Harness, retrieval } from '../eval/harness';
import { digest } from '../stage-stamp';
import { stageTimes } from '../stage-times';
import {
  ATTRIBUTE_WEIGHT,
  buildShapes,
  builtWith,
  CNN_CLIP,
  CNN_WIDE_CLIP,
  CONV_STEM,
  iidRecipe,
  ShapesBuild,
  SHAPES_FIRST,
  SHAPES_MINI,
  SHAPES_STEM,
  shapesData,
  splitPairs,
  WIDE_DECODER,
} from './build';
import { SHAPES_CLIP, ShapesItem } from './data';
import { ErrorSummary, isFalse, summariseErrors } from './errors';
import { withHardNegatives } from './hard-negatives';
import { namingCaptions, Probed, probeScenes, ProbeScores } from './probe';
import { ZERO_SHOT_PROMPTS, zeroShot, ZeroShot } from './zero-shot';
import { SCENE_ATTRIBUTES } from './attributes';

export interface Lever {
  name: string;
  /** What changes against the lever before it, in words. */
  change: string;
  recipe: ShapesBuild;
  /** A finished bundle of this recipe scored instead of building one (the committed bundle). */
  bundle?: string;
  /** Trains its captioner on the committed bundle's CLIP, which its recipe would train again (a lever that changes only the captioner). */
  committedClip?: boolean;
}

const WIDE_CLIP = {
  vision: { imageSize: 64, patch: 8, width: 128, layers: 3, heads: 4, mlpRatio: 4, embedDim: 128 },
  text: { contextLength: 32, width: 128, layers: 3, heads: 4, mlpRatio: 4, embedDim: 128 },
  vocabSize: 1000,
};
/** The mini-CLIP with the convolutional stem. */
const CONV_CLIP = { ...SHAPES_CLIP, vision: { ...SHAPES_CLIP.vision, convs: CONV_STEM } };
const hard = { ...SHAPES_FIRST, hardNegatives: true };
const wide = { ...hard, clip: WIDE_CLIP };
const decoder: ShapesBuild = { ...hard, decoder: WIDE_DECODER };
/** The clip-long levers' CLIP training, 3x the default recipe's. */
const LONG_CLIP_STEPS = 9000;
const long: ShapesBuild = { ...decoder, clipSteps: LONG_CLIP_STEPS };
const baseDecoder: ShapesBuild = { ...SHAPES_FIRST, decoder: WIDE_DECODER };
/** A mini-CLIP learning rate that leaves the loss plateau at seeds and data where 1e-3 stays on it (the iid-lr lever). */
const SLOW_CLIP_LR = 3e-4;
/** The conv-stem-lr lever's recipe: iid data, the conv stem, the slow CLIP learning rate. */
const convStemLr: ShapesBuild = { ...iidRecipe(SHAPES_STEM, SHAPES_STEM.data.pairs), clipLr: SLOW_CLIP_LR, clip: CONV_CLIP };
/** The cnn-attributes-lr lever's recipe (the default of 1.3.0). */
const cnnAttributesLr: ShapesBuild = { ...iidRecipe(SHAPES_STEM, SHAPES_STEM.data.pairs), clip: CNN_CLIP, attributes: ATTRIBUTE_WEIGHT };
const MLP_EQUAL = { width: 448, blocks: 3, hidden: 896, timeDim: 64 };
/** The decoder-256 lever's decoder: twice the default recipe's width, one more layer, twice the prefix. */
const BIG_DECODER = { width: 256, layers: 4, heads: 8, prefixTokens: 8, prefixHidden: 256 };
/** The sizes a 128-d CLIP's captioner gets where the recipe names none (the decoder's heads). */
const SMALL_CAPTIONER = captionerSizes(CNN_WIDE_CLIP.text.embedDim);

/** The committed default bundle. */
const COMMITTED = path.join(PACKAGE_ROOT, 'models', 'shapes-mini');

/** The levers in the order they are built: each adds one change to one before it (base: the shipped bundle; first: the 1.0.0 recipe). */
export const LEVERS: Lever[] = [
  {
    name: 'base',
    change: 'the committed bundle (models/shapes-mini; the cnn-wide recipe since 1.4.0, cnn-attributes-lr in 1.3.0, cnn-attributes in 1.2.0, stem-4 in 1.1.0)',
    recipe: SHAPES_MINI,
    bundle: COMMITTED,
  },
  { name: 'first', change: 'the first default recipe (shapes-mini 1.0.0; its row scored that committed bundle)', recipe: SHAPES_FIRST },
  { name: 'hard-negatives', change: 'a false caption (two colours swapped, a colour, shape, count or the background changed) beside each true one in CLIP training', recipe: hard },
  { name: 'decoder', change: 'decoder width 64 -> 128, 3 layers, 4 prefix tokens', recipe: decoder },
  { name: 'wide-clip', change: '128-d CLIP, width 128, 3 layers, 8-px patches (64 tokens)', recipe: wide },
  // Equal compute: about 0.1 s per training step each on 2 cores at 128-d (measured beside each other).
  {
    name: 'unet',
    change: 'denoiser: 1-D U-Net, 16 channels at full length, 3 levels (0.2 M parameters)',
    recipe: { ...wide, denoiser: { kind: 'unet', width: 16, blocks: 3, hidden: 0, timeDim: 32 } },
  },
  {
    name: 'mlp-equal',
    change: "denoiser: residual MLP of the U-Net's compute per step, width 448, 3 blocks (4 M parameters)",
    recipe: { ...wide, denoiser: MLP_EQUAL },
  },
  // The small CLIP's validation R@1 equals its training images' (0.34 and 0.32 after 1500 steps): underfit, not short of data.
  { name: 'clip-long', change: "the decoder lever's recipe with the mini-CLIP trained 9000 steps instead of 3000", recipe: long },
  { name: 'clip-long-mlp', change: 'clip-long with the residual MLP denoiser of the mlp-equal lever (width 448, 3 blocks)', recipe: { ...long, denoiser: MLP_EQUAL } },
  // A = 400 noises a 64-d embedding at radius 5 past its signal (√(1-ā)·8 ≈ 4.7 against √ā·5 ≈ 4.0): does the decoder learn to ignore what the embedding says?
  { name: 'decoder-base', change: "the decoder lever's decoder on the first recipe's CLIP (no hard negatives): the control of the augmentation levers", recipe: baseDecoder },
  { name: 'augment-200', change: "decoder-base with the augmentation step A = 200 instead of the paper's 400", recipe: { ...baseDecoder, augmentStep: 200 } },
  { name: 'augment-100', change: 'decoder-base with A = 100', recipe: { ...baseDecoder, augmentStep: 100 } },
  // The oracle gets 46-56 % of shape claims wrong: a shape of radius 6-13 px fills about one 16-px patch.
  {
    name: 'patch-8',
    change: 'decoder-base with 8-px patches in the mini-CLIP (64 tokens instead of 16), all else the first CLIP',
    recipe: { ...baseDecoder, clip: { ...SHAPES_CLIP, vision: { ...SHAPES_CLIP.vision, patch: 8 } } },
  },
  // The committed CLIP's zero-shot shape is 28 % of 53 scenes (chance 17 %; colour 100 %), and rendered one-object
  // images differing only in shape sit at image cosine 0.97 in it, only in colour at 0.49 (a scratch measurement,
  // stop 26): it barely sees shape. Does a nonlinear stem, not a linear map of pixels, see more?
  {
    name: 'stem-4',
    change: 'decoder-base with a stem in the mini-CLIP: 4-px sub-patches through a shared linear map to 48 channels and GELU, then the 16-px patch projection (the default recipe of 1.1.0)',
    recipe: SHAPES_STEM,
  },
  // Linear probes (stop 28, scratch) on the 1.0.0 CLIP: which shapes a held-out scene has is predicted at AUROC 0.62
  // from its image embedding and 0.71 from the embedding of a caption naming every shape (colours 0.95 and 0.99).
  {
    name: 'lookalikes',
    change: "stem-4 with each scene's look-alike in its CLIP batch: one object's shape replaced, two colours swapped or an object taken away, each image with its captions false of the other",
    recipe: { ...SHAPES_STEM, lookalikes: true },
  },
  // The base vision tower trained with a linear shape head on one-object scenes (stop 29, scratch): 800 steps on
  // 3000 images reach 71 % training accuracy but 29 % on new scenes (chance 17 %); 1500 steps on 20000 images,
  // 56 % and 51 %. It memorises small sets before it learns shape, and the CLIP sees each of its 4750 images 80 times.
  {
    name: 'pairs-20k',
    change:
      'stem-4 with 20000 image-caption pairs instead of 5000 (the CLIP sees each image 20 times, not 80); other data too: scenes never repeat, so the one-object scenes run out and its validation split (2 one-object scenes against 53) and caption corpus hold almost none',
    recipe: { ...SHAPES_STEM, data: { ...SHAPES_STEM.data, pairs: 20000 } },
  },
  // The stems so far cut the image into fixed cells, so a corner is seen differently at each offset; 3x3
  // convolutions slide over it (weights shared across positions, receptive field 15 px at stride 4).
  {
    name: 'conv-stem',
    change: 'stem-4 with a convolutional stem in the mini-CLIP instead of the 4-px one: 3x3 convolutions to 32 channels (stride 2), 64 (stride 2), 64 (stride 1), then the 16-px patch projection',
    recipe: { ...SHAPES_STEM, clip: CONV_CLIP },
  },
  // conv-stem was negative, and lost colour as well (zero-shot 15 %). A scratch check (stop 30) trained each tower
  // with linear shape and colour heads on 3000 one-object scenes, 800 steps: stem-4 reached shape 49 % on its
  // training images and 28 % on 500 new ones (colour 100 % / 98 %), the conv stem 36 % and 30 % (colour 100 %).
  // At 2000 steps both fit their training images (shape 100 %), and on new ones stem-4 stays at 28 % while the
  // conv stem reaches 74 %: the conv stem can learn shape, given the steps. Its CLIP's loss of colour is the
  // contrastive training's (3000 steps at lr 1e-3), the next thing to measure (longer, normalised, lower lr).
  // Its training loss (stop 31, scratch, 1000 steps) sits on a plateau near 4.27 until about step 800, where
  // stem-4's leaves it by step 300; a LayerNorm over channels before each GELU kept the same plateau (4.22 at
  // step 700), and images moved by up to 4 px each way per step (edges repeated) left the stem-4 CLIP at
  // loss 2.33 after 3000 steps with zero-shot shape 13 % and colour 70 % of the 53 scenes: both negative.
  // clip-long raised the oracle from 100 to 116 on the plain patch stem; does stem-4's CLIP gain alike?
  // Measured (stop 31): the text side gains, the image side does not. Oracle 117.0 (stem-4 109.4), CLIP loss 0.97
  // (1.56), but validation R@1 0.512 (0.612), and the bridge (98.6, binding and count 78.5 % wrong) stays within
  // the base and stem-4 rows' spread (96.7-103.1). A scratch check took image -> text R@1 (first captions, 250
  // candidates) on 250 of the CLIP's training pairs and on the validation pairs: the committed 3000-step CLIP
  // 0.428 / 0.340, this one 0.524 / 0.332. The image tower fits its training images better and new ones no
  // better: it memorises rather than learns shape (zero-shot shape 22.6 %, stem-4 20.8 %).
  {
    name: 'stem-4-long',
    change: `stem-4 with the mini-CLIP trained ${LONG_CLIP_STEPS} steps instead of ${SHAPES_STEM.clipSteps}`,
    recipe: { ...SHAPES_STEM, clipSteps: LONG_CLIP_STEPS },
  },
  // pairs-20k was confounded: keys never repeat, so its one-object scenes ran out (and the committed data holds
  // fewer than a quarter: 1030 of 5000 pairs, 40 of 500 held-out scenes). Drawn independently (content may repeat
  // inside a part, never across parts), 20000 pairs keep the mix of scenes: does an image tower that sees each
  // image 20 times instead of 80 learn shape rather than memorise its images?
  {
    name: 'iid',
    change:
      "stem-4 with its data drawn independently: a scene's content may repeat within a part (never across parts: each part draws from its own hashed share of contents, the validation pairs from one of their own), so every part holds a quarter of one-object scenes (its validation pairs are not stem-4's)",
    recipe: iidRecipe(SHAPES_STEM, SHAPES_STEM.data.pairs),
  },
  // iid's CLIP never left the loss plateau near 4.2 (3.18 after 3000 steps, colour lost). A scratch check (stop 32)
  // took the base recipe's CLIP loss over 800 steps (cosine schedule to 800) at two seeds on both data sets: the
  // committed data at seed 0 (the shipped CLIP's) leaves the plateau by step 400 (3.07 at 800); the committed data
  // at seed 1 and the iid data at seed 0 stay on it (4.00, 3.94); at lr 3e-3 both stay (4.22, 4.21); at lr 3e-4
  // both leave it (3.29, 3.12). The shipped CLIP escaped by luck of its seed, and rows differing in data or stem
  // may differ by that luck (conv-stem, pairs-20k and lookalikes all lost colour).
  // Measured (stop 32): the plateau is gone (CLIP loss 1.78, R@1 0.624, colour 100 %), shape is not (zero-shot 19.7 %,
  // chance 16.7 %); the bridge's binding and count stay 79 % wrong. A robust CLIP, not yet one that sees shape.
  {
    name: 'iid-lr',
    change: `iid with the mini-CLIP's peak learning rate ${SLOW_CLIP_LR} instead of ${CLIP_TRAINING.lr}; the control of iid-20k`,
    recipe: { ...iidRecipe(SHAPES_STEM, SHAPES_STEM.data.pairs), clipLr: SLOW_CLIP_LR },
  },
  // Measured (stop 32): not memorisation. Four times the images leave the CLIP's training loss higher (2.08 against
  // 1.78) and everything it sees of new scenes the same (R@1 0.624, zero-shot shape 19.7 %, colour 100 %); the bridge
  // 83.9, binding and count 80-82 % wrong. The patch stems' image tower does not learn shape from captions at any size tried.
  {
    name: 'iid-20k',
    change: 'iid-lr with 20000 image-caption pairs (the CLIP sees each image 20 times, not 80); the other parts and the validation pairs the same',
    recipe: { ...iidRecipe(SHAPES_STEM, 20000), clipLr: SLOW_CLIP_LR },
  },
  // The conv stem learns shape under a supervised head given the steps (74 % on new one-object scenes), and its
  // CLIP lost colour as the iid CLIP did at lr 1e-3: does it see shape once its CLIP leaves the plateau?
  // Measured (stop 32): colour back (100 %), CLIP loss 1.71, oracle 113.9 and bridge 99.1 against iid-lr's 107.7 and
  // 88.6 on the same validation pairs (one build each; two builds of one recipe differed by 6.4), binding and count
  // still 78-79 % wrong. Zero-shot shape is 19.7 % (12 of 61) for iid-lr, iid-20k and this lever alike: next, see
  // whether that measure picks one shape for every image.
  {
    name: 'conv-stem-lr',
    change: 'iid-lr with the convolutional stem of the conv-stem lever instead of the 4-px one',
    recipe: convStemLr,
  },
  // The lookalikes lever's CLIP sat on the loss plateau (loss 2.17, colour 96 %) at lr 1e-3, so whether look-alikes
  // teach shape was never measured. Here the CLIP that can learn shape (conv stem) trains where it leaves the plateau.
  // Measured (stop 33): hardly. Zero-shot shape 24.6 % (conv-stem-lr 19.7 %), image probe AUROC for shape 0.69 (0.68);
  // R@1 0.536, bridge 88.3 against 99.1, binding and count 79-80 % wrong. A look-alike one fact away in the batch
  // does not make contrastive training learn shape.
  {
    name: 'conv-lookalikes-lr',
    change: "conv-stem-lr with each scene's look-alike in its CLIP batch (the lookalikes lever's edits)",
    recipe: { ...convStemLr, lookalikes: true },
  },
  // Under a shape classifier on one-object scenes alone, the conv stem learnt shape (74 % on new ones); contrastively it does not. A head on the
  // image embedding that must predict the scene's facts (shapes, colours, colour–shape pairs, count) asks for them
  // directly, in the embedding's direction, which is what the bridge and decoder read.
  // Measured (stop 33): the image tower still does not see shape. Zero-shot shape 18.0 %, image probe AUROC 0.69; the
  // text side gains (oracle 116.4, binding 66.3 % wrong against 73.3 %), the bridge does not (91.8, binding 79.2 %).
  {
    name: 'attributes',
    change: `conv-stem-lr with a linear head on the CLIP's unit-length image embedding predicting each scene's shapes, colours, colour–shape pairs and count (binary cross-entropy averaged over the ${SCENE_ATTRIBUTES} labels, weight ${ATTRIBUTE_WEIGHT}, beside InfoNCE; the head is not exported)`,
    recipe: { ...convStemLr, attributes: ATTRIBUTE_WEIGHT },
  },
  // A scratch check (stop 33) trained the attributes lever's image tower on the head alone (no text; 1500 steps, lr
  // 1e-3, the 4750 training images): one-object scenes' shape right 37 of 133 on its own training images and 15 of
  // 61 new ones; at lr 3e-3 39 and 13. The tower cannot even fit which shapes its training scenes hold. A small CNN
  // (the convolutions below, averaged over positions, then projected) trained alike: 129 of 133 and 50 of 61.
  // Measured (stop 33): the largest step of any lever. Zero-shot shape 37.7 % (attributes 18.0 %), R@1 0.732, caption
  // probe for shape 0.93 (0.76); oracle 140.7 with shape 23.3 % and binding 52.5 % wrong; bridge 106.7 (best on these
  // validation pairs), binding 70.2 % and count 71.1 % wrong, 10.8 % of captions with no false claim. (Its CLIP loss
  // column counts InfoNCE plus 10 x the cross-entropy, as the attributes row's does.)
  {
    name: 'cnn-attributes',
    change: `the attributes lever with a CNN image tower: 3x3 convolutions ${(CNN_CLIP.vision.convs ?? []).map((c) => `${c.channels}${c.stride === 2 ? '/2' : ''}`).join(', ')} averaged over positions and projected, instead of the conv stem and transformer`,
    recipe: { ...convStemLr, attributes: ATTRIBUTE_WEIGHT, clip: CNN_CLIP },
  },
  // Which made cnn-attributes' gain, the tower or the head? Measured (stop 34): mostly the tower. Contrastive only, R@1 0.712,
  // zero-shot shape 31.1 % (conv-stem-lr 19.7 %, cnn-attributes 37.7 %), oracle 139.8 (140.7); the head adds the
  // bridge's last 5 points (101.2 against 106.7) and 5 of binding and count (75.2 / 75.3 % wrong against 70.2 / 71.1 %),
  // yet this lever's bridge makes no false claim in 18.8 % of captions against 10.8 % (whether because they claim less is not measured).
  {
    name: 'cnn',
    change: 'conv-stem-lr with the CNN image tower of cnn-attributes (contrastive training only)',
    recipe: { ...convStemLr, clip: CNN_CLIP },
  },
  // A tower that learns shape under a head needed about 2000 steps at lr 1e-3 (stop 30, scratch); at 3e-4 on a cosine
  // schedule the CLIP's 3000 steps move its weights about half as far. Is the image tower short of steps, not of signal?
  // Measured (stop 35): yes, the largest step yet. Zero-shot shape 88.5 % (37.7 %), image probe AUROC for shape 0.91 (0.76);
  // oracle 153.6 with shape 4.0 % and binding 36.9 % wrong; bridge 124.7, shape 17.6 %, binding 53.6 %, count 57.5 %
  // wrong, 35.6 % of captions with no false claim (10.8 %). No plateau at 1e-3 with the head beside InfoNCE (loss 1.90).
  // The default recipe of 1.3.0: a build of it (CLIP 26.6 min + 11.7 min) chose M = 600 (38.0 % with no false claim on validation), demo 23 of 60.
  {
    name: 'cnn-attributes-lr',
    change: `cnn-attributes with the mini-CLIP's peak learning rate ${CLIP_TRAINING.lr} (CLIP_TRAINING's) instead of ${SLOW_CLIP_LR}`,
    recipe: cnnAttributesLr,
  },
  // Reranking a bridged image's candidate captions (beam 5 at M = 0-750, 30 per image) by the CLIP's image-caption
  // cosine does not help (stop 36, scratch): binding 49.4 % and count 51.1 % wrong against 51.1 / 55.6 % at M = 300, 36.4 %
  // of captions with no false claim against 35.2 %, though 60.4 % of images have some candidate with none. The oracle
  // gets 37 % of bindings wrong: does the 64-d embedding, or the 2-layer text tower, lose which colour goes with which shape?
  // Measured (stop 36): not binding, shape. The oracle's binding stays 39.3 % wrong (count 31.3 %); the image tower sees
  // more (zero-shot shape 96.7 % against 88.5 %, image probe AUROC 0.96), so the bridge's shape claims are wrong half as
  // often (9.7 % against 17.6 %), binding 45.0 % and count 49.9 % (53.6 / 57.5 %), 42.0 % of captions with no false claim
  // (35.6 %), CIDEr-D 122.0 (124.7). CLIP stage 37.2 min (26.6). The default recipe since 1.4.0.
  {
    name: 'cnn-wide',
    change: `cnn-attributes-lr with ${CNN_WIDE_CLIP.text.embedDim}-d embeddings and a text tower of width ${CNN_WIDE_CLIP.text.width}, ${CNN_WIDE_CLIP.text.layers} layers (${CNN_CLIP.text.embedDim}-d, width ${CNN_CLIP.text.width}, ${CNN_CLIP.text.layers} layers)`,
    recipe: { ...cnnAttributesLr, clip: CNN_WIDE_CLIP },
  },
  // Why binding stays wrong (stop 37): the oracle, fed a caption naming every object with its colour, answers with the
  // same colours and shapes paired otherwise (51 of its 59 binding errors on the validation split). The binding probe
  // (two-object scenes of two colours and two shapes, where a bag of words scores 0.5) says where: the image embedding
  // holds the pairing (AUROC 0.87), the caption embedding none a linear probe finds (0.51). Hard negatives, a quarter of
  // them colour swaps, raise that to 0.70 and true-over-twin to 92.0 %, but the decoder reads none of it (oracle binding
  // 38.2 % against 39.3 %; bridge 46.7 %, 39.6 % of captions with no false claim against 42.0 %). Less augmentation
  // noise (A = 200) lowers the oracle's binding errors to 31 % with either CLIP, so a decoder trained at A = 400 drops
  // what the embedding holds; but bridged images gain less (bridge binding 40.4 %, count 52.0 %, 39.2 % with no false
  // claim on the committed CLIP; 45.9 / 53.8 / 36.4 % with hard negatives). A wider decoder brings no gain (decoder-256).
  // Next: a text-side objective that binds (each caption's own colour–shape pairs predicted from its embedding), and
  // bridging that lands where a decoder trained with less noise reads.
  {
    name: 'cnn-wide-hard',
    change:
      "cnn-wide with a false caption beside each true one in CLIP training (the hard-negatives lever's edits; a quarter of them swap two colours, which a text tower that ignores word order cannot tell apart)",
    recipe: { ...SHAPES_MINI, hardNegatives: true },
  },
  {
    name: 'hard-augment-200',
    change: `cnn-wide-hard (its CLIP) with the augmentation step A = 200 instead of the paper's ${BRIDGE_DEFAULTS.augmentStep}: less noise on the embeddings the decoder learns to read`,
    recipe: { ...SHAPES_MINI, hardNegatives: true, augmentStep: 200 },
  },
  {
    name: 'wide-augment-200',
    change: `the default recipe with the augmentation step A = 200 instead of the paper's ${BRIDGE_DEFAULTS.augmentStep}, on the committed CLIP`,
    recipe: { ...SHAPES_MINI, augmentStep: 200 },
    committedClip: true,
  },
  {
    name: 'decoder-256',
    change: `the default recipe with a decoder of width ${BIG_DECODER.width}, ${BIG_DECODER.layers} layers, ${BIG_DECODER.heads} heads and ${BIG_DECODER.prefixTokens} prefix tokens (width ${WIDE_DECODER.width}, ${WIDE_DECODER.layers} layers, ${SMALL_CAPTIONER.decoder.heads} heads, ${WIDE_DECODER.prefixTokens} prefix tokens), on the committed CLIP`,
    recipe: { ...SHAPES_MINI, decoder: BIG_DECODER },
    committedClip: true,
  },
];

/** One row's captions scored: against the references, and against the scenes (share of captions with no false claim). */
interface Scored {
  scores: CaptionScores;
  shape: ErrorSummary;
  binding: ErrorSummary;
  count: ErrorSummary;
  clean: number;
}

export interface LeverResult {
  name: string;
  change: string;
  recipe: ShapesBuild;
  /** The scored bundle's createdAt, and the beam: a result stands only for the same ones. */
  bundle: string;
  beam: number;
  /** Minutes the lever's CLIP stage took when it was trained (null for a lever scoring a given bundle). */
  clipMinutes: number | null;
  /** The CLIP's training loss over its last 100 steps (null for a lever scoring a given bundle): how far from fitting its pairs it stopped. */
  clipLoss: number | null;
  recallAt1: number;
  /** Share of validation references the CLIP puts nearer their image than their false twin (a colour, shape, count or the background changed): whether it encodes the facts captions state. */
  twinWins: number;
  /** Zero-shot shape and colour of the validation split's one-object scenes: whether the image tower sees them. */
  zeroShot: ZeroShot;
  /** Linear probes of each tower, fitted on the CLIP's training pairs, scored on the validation split. */
  probe: Probed;
  oracle: Scored;
  bridge: Scored & { m: number };
}

/** The CLIP-deciding part of a recipe: levers that agree on it share a work folder and so one CLIP. */
const clipKey = (r: ShapesBuild) =>
  digest([
    r.seed,
    r.data,
    r.val,
    r.clipSteps,
    r.clip ?? null,
    !!r.hardNegatives,
    ...(r.lookalikes ? ['lookalikes'] : []),
    ...(r.clipLr ? [['lr', r.clipLr]] : []),
    ...(r.attributes ? [['attributes', r.attributes]] : []),
  ]).slice(0, 12);

export interface LeverOptions {
  work: string;
  beam: number;
  command: string;
  /** Only these levers (all when absent). */
  only?: string[];
  /** The bundle whose CLIP the committedClip levers copy (the committed one when absent). */
  committed?: string;
  onStage?: (stage: string, detail: string) => void;
  onProgress?: (stage: string, p: Progress) => void;
}

/** Mean training loss of the last 100 steps of the CLIP trained in `work` (the trainer's loss.jsonl). */
function clipFinalLoss(work: string): number {
  const steps = fs
    .readFileSync(path.join(work, 'runs', 'clip', 'loss.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .slice(-100)
    .map((l) => (JSON.parse(l) as { loss: number }).loss);
  return steps.reduce((a, b) => a + b, 0) / steps.length;
}

const resultFile = (lever: Lever, work: string) => path.join(work, lever.name, 'result.json');
const bundleOf = (lever: Lever, work: string) => lever.bundle ?? path.join(work, lever.name, 'bundle');

/** A lever's stored result when it still stands: same recipe and beam, and the very bundle it scored. */
function finished(lever: Lever, o: Pick<LeverOptions, 'work' | 'beam'>): LeverResult | null {
  const file = resultFile(lever, o.work);
  const manifest = path.join(bundleOf(lever, o.work), 'manifest.json');
  if (!fs.existsSync(file) || !fs.existsSync(manifest)) return null;
  const done = JSON.parse(fs.readFileSync(file, 'utf8')) as LeverResult;
  const created = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { createdAt: string }).createdAt;
  // A result from before the shape, zero-shot or probe columns, or bridged at another depth, is scored again (its bundle is kept).
  return JSON.stringify(done.recipe) === JSON.stringify(lever.recipe) &&
    done.beam === o.beam &&
    done.bundle === created &&
    !!done.oracle.shape &&
    !!done.zeroShot &&
    done.probe?.image.binding !== undefined &&
    done.bridge.m === BRIDGE_DEFAULTS.defaultM
    ? done
    : null;
}

/** Links `link` to `target` (relatively, so the work folder can move) unless something is there. */
function linkOnce(target: string, link: string): void {
  try {
    fs.lstatSync(link);
  } catch {
    fs.symlinkSync(path.relative(path.dirname(link), target), link);
  }
}

/** Share of the set's references nearer their image, in CLIP space, than their false twin. */
async function twinWins(h: Harness, set: EvalSet, items: ShapesItem[], seed: number): Promise<number> {
  const twins = await h.texts(withHardNegatives(items, seed).flatMap((p) => p.negatives!.slice(0, set.refs)));
  let wins = 0;
  for (let j = 0; j < twins.length / h.dim; j++) {
    const i = Math.floor(j / set.refs);
    if (cosine(set.image, i, set.text, j, h.dim) > cosine(set.image, i, twins, j, h.dim)) wins++;
  }
  return wins / (twins.length / h.dim);
}

/** Both towers probed: fitted on the CLIP's training pairs, scored on the validation pairs (whose image rows are given). */
async function probeTowers(h: Harness, train: ShapesItem[], val: ShapesItem[], seed: number, valImages: Float32Array): Promise<Probed> {
  const scenes = (items: ShapesItem[]) => items.map((it) => it.scene);
  const captions = async (items: ShapesItem[], part: number) => h.texts(namingCaptions(scenes(items), seed, part));
  return {
    image: probeScenes({ scenes: scenes(train), rows: await h.images(train.map((it) => it.image)) }, { scenes: scenes(val), rows: valImages }, h.dim),
    caption: probeScenes({ scenes: scenes(train), rows: await captions(train, 0) }, { scenes: scenes(val), rows: await captions(val, 1) }, h.dim),
  };
}

/** Builds and scores one lever, or reads its result when a run already did. */
async function measureLever(lever: Lever, o: LeverOptions): Promise<LeverResult> {
  const done = finished(lever, o);
  if (done) return done;
  const dir = path.join(o.work, lever.name);
  const committed = o.committed ?? COMMITTED;
  if (lever.committedClip && clipKey((builtWith(committed) ?? {}) as ShapesBuild) !== clipKey(lever.recipe)) {
    throw new Error(`shapes levers: ${lever.name} takes the CLIP of ${committed}, whose recorded recipe trains another CLIP`);
  }
  const clipFrom = lever.committedClip ? committed : undefined;
  // Its own folder for the committed CLIP, so that a CLIP trained here is never taken for it.
  const work = path.join(o.work, `clip-${clipFrom ? 'committed-' : ''}${clipKey(lever.recipe)}`);
  // One data set for all levers with the same data options, made by the first of them.
  const data = await shapesData(path.resolve(o.work, `data-${digest(lever.recipe.data).slice(0, 12)}`), lever.recipe.data);
  fs.mkdirSync(work, { recursive: true });
  linkOnce(data, path.join(work, 'data'));
  const out = bundleOf(lever, o.work);
  // A lever's own bundle is scratch: one of an earlier recipe of the lever goes (a named bundle is never touched).
  const before = lever.bundle ? null : builtWith(out);
  if (before && JSON.stringify(before) !== JSON.stringify(lever.recipe)) fs.rmSync(out, { recursive: true });
  o.onStage?.('lever', `${lever.name}: ${lever.change}`);
  const { dataDir } = await buildShapes(lever.recipe, {
    work,
    out,
    captionerRuns: path.join(dir, 'runs'),
    clipFrom,
    name: LAB_BUNDLE,
    version: '1.0.0',
    command: o.command,
    onStage: o.onStage,
    onProgress: o.onProgress,
  });
  const bundle = loadBundle(out);
  const h = await Harness.open(bundle, path.join(o.work, 'cache'));
  try {
    o.onStage?.('score', `${lever.name}: oracle and Diffusion Bridge on the validation split`);
    const set = await h.evalSet(shapesSplit(dataDir, 'val', lever.recipe.val));
    const { train, val } = splitPairs(dataDir, lever.recipe.val);
    const scenes = val.map((it) => it.scene);
    // The paper's depth for every lever, not the bundle's own (the committed one ships the depth its sweep chose
    // for fewer false claims): rows compare recipes, so they are bridged alike.
    const m = BRIDGE_DEFAULTS.defaultM;
    const s = bundle.manifest.diffusion.ddimSteps;
    const scored = async (conds: Float32Array): Promise<Scored> => {
      const r = await h.caption(bundle.decoder, conds, set, o.beam);
      const e = summariseErrors(r.captions.map((caption, i) => ({ caption, scene: scenes[i] })));
      const clean = r.captions.filter((c, i) => !isFalse(c, scenes[i])).length / r.captions.length;
      return { scores: r.scores, shape: e.shape, binding: e.binding, count: e.count, clean };
    };
    const result: LeverResult = {
      name: lever.name,
      change: lever.change,
      recipe: lever.recipe,
      bundle: bundle.manifest.createdAt,
      beam: o.beam,
      clipMinutes: lever.bundle || clipFrom ? null : stageTimes(work).clip / 60,
      clipLoss: lever.bundle || clipFrom ? null : clipFinalLoss(work),
      recallAt1: retrieval(set, h.dim, [1]).imageToText[1],
      twinWins: await twinWins(h, set, val, lever.recipe.seed),
      zeroShot: zeroShot(val, set.image, await h.texts(ZERO_SHOT_PROMPTS), h.dim),
      probe: await probeTowers(h, train, val, lever.recipe.seed, set.image),
      oracle: await scored(await h.textZ(set, 0)),
      bridge: { ...(await scored(await h.bridged(set, m, s))), m },
    };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(resultFile(lever, o.work), JSON.stringify(result, null, 1) + '\n');
    return result;
  } finally {
    await h.close();
  }
}

/** Builds and scores `levers` (LEVERS by default) in order, skipping those a run already finished. */
export async function measureLevers(o: LeverOptions, levers: Lever[] = LEVERS): Promise<LeverResult[]> {
  const unknown = (o.only ?? []).filter((n) => !levers.some((l) => l.name === n));
  if (unknown.length) throw new Error(`shapes levers: no lever named ${unknown.join(', ')} (levers: ${levers.map((l) => l.name).join(', ')})`);
  const out: LeverResult[] = [];
  for (const lever of levers) if (!o.only || o.only.includes(lever.name)) out.push(await measureLever(lever, o));
  return out;
}

/** What one row of LEVERS.md shows, as levers.json beside it records it. */
export interface LeverRow {
  name: string;
  change: string;
  recipe: ShapesBuild;
  beam: number;
  clipMinutes: number | null;
  clipLoss: number | null;
  recallAt1: number;
  /** null: measured before the twin test existed. */
  twinWins: number | null;
  /** Absent: measured before the zero-shot columns. */
  zeroShot?: ZeroShot;
  /** Absent: measured before the probe columns. */
  probe?: Probed;
  oracle: RowScores;
  bridge: RowScores;
}

/** CIDEr-D, shape, binding and count error rates and the share of captions with no false claim. */
interface RowScores {
  /** The bridging depth (bridge rows; absent in rows recorded before it was). */
  m?: number;
  ciderD: number;
  /** null (absent in older records): measured before this column. */
  shape?: number | null;
  binding: number;
  count: number;
  clean: number;
}

const rowScores = (s: Scored): RowScores => ({ ciderD: s.scores.ciderD, shape: s.shape.rate, binding: s.binding.rate, count: s.count.rate, clean: s.clean });

const rowOf = (r: LeverResult): LeverRow => ({
  name: r.name,
  change: r.change,
  recipe: r.recipe,
  beam: r.beam,
  clipMinutes: r.clipMinutes,
  clipLoss: r.clipLoss,
  recallAt1: r.recallAt1,
  twinWins: r.twinWins,
  zeroShot: r.zeroShot,
  probe: r.probe,
  oracle: rowScores(r.oracle),
  bridge: { ...rowScores(r.bridge), m: r.bridge.m },
});

/**
 * The record in `dir`/levers.json with `results` entered: each replaces its lever's row. The
 * record outlives the work folders (whose bundles are scratch), so LEVERS.md keeps every lever
 * measured so far; a row goes when its lever is gone, its recipe changed or it was scored with
 * another beam. Returns the rows in the levers' order.
 */
export function recordLevers(dir: string, results: LeverResult[], beam: number, levers: Lever[] = LEVERS): LeverRow[] {
  const file = path.join(dir, 'levers.json');
  const rows = new Map<string, LeverRow>();
  if (fs.existsSync(file)) for (const r of JSON.parse(fs.readFileSync(file, 'utf8')) as LeverRow[]) rows.set(r.name, r);
  for (const r of results) rows.set(r.name, rowOf(r));
  const out = levers.flatMap((l) => {
    const r = rows.get(l.name);
    return r && r.beam === beam && JSON.stringify(r.recipe) === JSON.stringify(l.recipe) ? [{ ...r, change: l.change }] : [];
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  return out;
}

const pct = (rate: number) => `${(100 * rate).toFixed(1)}%`;
/** A figure measured after some rows were (or one with nothing to measure: no one-object scene): – in the rows measured before. */
const orDash = (rate: number | null | undefined) => (rate === null || rate === undefined || Number.isNaN(rate) ? '–' : pct(rate));

/** A probe's AUROCs as "shape / colour / binding"; – where the row predates the probe or a split lacks the facts. */
const probed = (p: ProbeScores | undefined) => (p ? [p.shape, p.colour, p.binding].map((v) => (v === undefined || v === null || Number.isNaN(v) ? '–' : v.toFixed(2))).join(' / ') : '–');

/** What two builds of the shipped recipe (the base row, the committed bundle, and the lever of the same recipe) say of run-to-run spread. */
function spread(rs: LeverRow[]): string {
  const base = rs.find((r) => r.name === 'base');
  const twin = base && rs.find((r) => r !== base && JSON.stringify(r.recipe) === JSON.stringify(base.recipe));
  if (!base || !twin) return '';
  const [a, b] = [base, twin].map((r) => (100 * r.bridge.ciderD).toFixed(1));
  return ` Two builds of one recipe need not agree: the base and ${twin.name} rows are one recipe built in different runs, at ${a} and ${b} bridge CIDEr-D, so a gap of that size between rows is not a finding.`;
}

/** The levers table in Markdown, every figure from the results given. */
export function renderLevers(rs: LeverRow[], command: string): string {
  const rows = rs.map((r) =>
    [
      r.name,
      r.change,
      r.clipLoss === null ? 'committed' : r.clipLoss.toFixed(2),
      r.recallAt1.toFixed(3),
      orDash(r.twinWins),
      orDash(r.zeroShot?.shape),
      orDash(r.zeroShot?.colour),
      probed(r.probe?.image),
      probed(r.probe?.caption),
      (100 * r.oracle.ciderD).toFixed(1),
      orDash(r.oracle.shape),
      pct(r.oracle.binding),
      pct(r.oracle.count),
      pct(r.oracle.clean),
      (100 * r.bridge.ciderD).toFixed(1),
      orDash(r.bridge.shape),
      pct(r.bridge.binding),
      pct(r.bridge.count),
      pct(r.bridge.clean),
      r.clipMinutes === null ? 'committed' : r.clipMinutes.toFixed(1),
    ].join(' | '),
  );
  return [
    '# ShapesWorld levers: where capacity pays',
    '',
    `Generated by \`${command}\`. Figures of every lever measured so far (levers.json records them; a run adds or replaces rows). Every lever is built from its recipe's data (seed ${rs[0]?.recipe.seed}; levers with the same data options share one data set) and scored on its validation split (the last ${rs[0]?.recipe.val} pairs, which the CLIP never trained on; the held-out images stay for REPORT.md). "oracle": the decoder fed each image's first reference's own text embedding, what the CLIP and decoder keep of a scene before any bridging; "bridge": Diffusion Bridge on the image at the paper's M = ${BRIDGE_DEFAULTS.defaultM} for every lever, the committed bundle too (it ships the depth its validation sweep chose for fewer false claims, where REPORT.md scores it), so that rows compare recipes at one depth; rows recorded without their depth (levers.json) were bridged at their bundle's, which was this one for every lever built here.${spread(rs)} Shape, binding and count: share of such claims that are false (research/shapes/errors.ts); shape – for levers measured before that column. CLIP loss: symmetric InfoNCE (with hard negatives, image → text over twice the texts), ln 128 = 4.85 at chance, 0 for pairs told apart with certainty. True over twin: share of validation references the CLIP puts nearer their image than a false twin (one colour, shape, count or the background changed; 50 % is chance), whether it encodes what captions state; – for levers measured before this column. Zero-shot shape and colour: share of the validation split's one-object scenes whose image is nearest "a {colour} {shape}." with the true shape among the six (its colour given; chance 16.7 %) and with the true colour among the eight (its shape given; chance 12.5 %): whether the image tower sees the attribute at all (research/shapes/zero-shot.ts); – for levers measured before these columns. Probe AUROC, shape / colour / binding: a logistic regression per shape (and per colour) present, fitted on the CLIP's training pairs and scored on the validation split, from the image embedding, and from the embedding of a caption naming every object with its colour; the mean AUROC over the six shapes and over the colours (0.5: the embedding holds nothing of it), each tower asked alone (research/shapes/probe.ts); binding: a probe per colour–shape pair on the two-object scenes of two colours and two shapes that hold that colour and that shape, where a bag of colours and shapes is the same whichever object has which (0.5), its AUROC pooled over the pairs; – for levers measured before these columns. CLIP stage minutes: training the mini-CLIP and its ē_img, the last time that stage ran (shared by levers with the same CLIP). CLIP loss and minutes "committed": the committed bundle's CLIP, scored as shipped or, for a lever that changes only the captioner, copied instead of trained again.`,
    '',
    '| lever | change | CLIP loss, last 100 steps | CLIP R@1 (image → text) | CLIP true over twin | CLIP zero-shot shape | CLIP zero-shot colour | image probe AUROC, shape / colour / binding | caption probe AUROC, shape / colour / binding | oracle CIDEr-D | oracle shape wrong | oracle binding wrong | oracle count wrong | oracle captions with no false claim | bridge CIDEr-D | bridge shape wrong | bridge binding wrong | bridge count wrong | bridge captions with no false claim | CLIP stage minutes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}
