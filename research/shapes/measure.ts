/**
 * The measurements of `altbridge shapes report`: builds the ShapesWorld bundle (resuming from checkpoints in its work folder), trains
 * the baselines' decoders on the same corpus, and runs every comparison on the held-out images
 * (the validation split only where a choice is made). Returns the numbers; report.ts renders them.
 */
import * as os from 'os';
import * as path from 'path';
import { LAB_BUNDLE, loadBundle } from '../../worker/bundle/load';
import { readCorpus } from '../../worker/corpus/read';
import { DENOISER_TRAINING, trainDenoiser } from '../../worker/train/denoiser';
import { textZ } from '../../worker/train/eval-text';
import { readTensorFile } from '../../worker/train/tensor-file';
import { Progress } from '../../worker/train/trainer';
import { shapesSplit } from '../eval/references';
import { pca2, project } from '../report/pca';
import { buildShapes, ShapesBuild, SHAPES_MINI_VERSION } from './build';
import { summariseErrors } from './errors';
import { bridgeWith, EvalSet, Harness, nearestCosine, normalise, retrieval, Rows, trainBaselines } from '../eval/harness';
import { readShapesPart } from './data';
import { completeBundle, publishing } from './publishing';
import { wholeSceneCaptions } from './captions';
import { STREAM } from './generate';
import { Rng } from '../../worker/train/rng';
import { concatFloat32 } from '../../worker/concat';
import { BRIDGE_DEFAULTS } from '../../worker/diffusion';
import { Cosines, Projection, ShapesResults } from './results';

const M_SWEEP = [0, 100, 200, 400, 600, 800, 900];
const S_SWEEP = [1, 3, 5, 12];

export interface MeasureOptions {
  work: string;
  recipe: ShapesBuild;
  beam: number;
  command: string;
  onStage?: (stage: string, detail: string) => void;
  onProgress?: (stage: string, p: Progress) => void;
}

/** The sets projected on the PCA plane of their union. */
function projection(sets: Rows[], names: string[], dim: number): Projection {
  const fit = pca2(concatFloat32(sets), dim);
  return {
    explained: fit.explained,
    groups: sets.map((s, k) => {
      const p = project(s, dim, fit.mean, fit.dirs);
      return { name: names[k], points: Array.from({ length: s.length / dim }, (_, i) => [p[2 * i], p[2 * i + 1]] as [number, number]) };
    }),
  };
}

export async function measureShapes(o: MeasureOptions): Promise<Omit<ShapesResults, 'before'>> {
  const started = Date.now();
  const stage = (s: string, d: string) => o.onStage?.(s, d);
  const bundleDir = path.join(o.work, 'bundle');
  const { dataDir } = await buildShapes(o.recipe, { work: o.work, out: bundleDir, name: LAB_BUNDLE, version: SHAPES_MINI_VERSION, command: o.command, onStage: o.onStage, onProgress: o.onProgress });
  await completeBundle(bundleDir, dataDir, o.recipe, o.command, (line) => stage('complete', line));
  const bundleMinutes = (Date.now() - started) / 60000;
  const bundle = loadBundle(bundleDir);
  const h = await Harness.open(bundle, path.join(o.work, 'cache'));
  try {
    stage('embed', 'held-out and validation images and references');
    const test = await h.evalSet(shapesSplit(dataDir, 'heldout', o.recipe.val));
    const val = await h.evalSet(shapesSplit(dataDir, 'val', o.recipe.val));
    const d = h.dim;
    // The method at the paper's depth; the bundle ships the M chosen for correctness (choose-m.ts), which the publishing section uses.
    const m0 = BRIDGE_DEFAULTS.defaultM;
    const s0 = bundle.manifest.diffusion.ddimSteps;

    stage('baselines', `decoders for plain, CapDec, C3 and DeCap (${o.recipe.decoderSteps} steps each)`);
    const training = {
      corpus: path.join(dataDir, 'texts.txt'),
      runDir: path.join(o.work, 'runs', 'baselines'),
      seed: o.recipe.seed,
      steps: o.recipe.decoderSteps,
      draws: o.recipe.draws,
      onProgress: o.onProgress,
    };
    const { plain, capdec, c3, decap } = await trainBaselines(h, training);
    const aug = bundle.decoder;

    // The captioner's corpus in diffusion space: where "the text distribution" is.
    const corpusLines = (await readCorpus(training.corpus)).train;
    const corpusZ = textZ(await h.texts(corpusLines), bundle.textMean, h.scale);
    const memory = corpusZ.subarray(0, Math.min(corpusZ.length, 5000 * d));

    stage('captions', 'ablation, baselines, M and S sweeps');
    const zImg = await h.bridged(test, 0, 0);
    const bridged = await h.bridged(test, m0, s0);
    const zText0 = await h.textZ(test, 0);
    const run = (dec: Map<string, Float32Array>, conds: Rows, set: EvalSet = test) => h.caption(dec, conds, set, o.beam);
    const plainRun = await run(plain.weights, zImg);
    const db = await run(aug, bridged);
    const capdecRun = await run(capdec.weights, h.capdec(test));
    const oracle = await run(aug, zText0);
    const ablation: ShapesResults['ablation'] = {
      plain: { name: 'plain: decoder on text embeddings, image z without bridging', scores: plainRun.scores },
      bridging: { name: `+ bridging (M = ${m0}, S = ${s0})`, scores: (await run(plain.weights, bridged)).scores },
      diffusionBridge: { name: '+ bridging + augmentation (Diffusion Bridge)', scores: db.scores },
      augmentOnly: { name: 'augmentation without bridging (M = 0)', scores: (await run(aug, zImg)).scores },
    };
    const methods: ShapesResults['methods'] = {
      capdec: { name: 'CapDec (noise σ² = 0.016)', scores: capdecRun.scores },
      c3: { name: 'C3 (mean-centring + noise)', scores: (await run(c3.weights, zImg)).scores },
      decap: { name: 'DeCap (memory projection, τ = 1/100)', scores: (await run(decap.weights, h.decap(test, decap.memory))).scores },
      diffusionBridge: { name: `Diffusion Bridge (M = ${m0}, S = ${s0}, A = ${bundle.manifest.diffusion.augmentStep})`, scores: db.scores },
      oracle: { name: "oracle: the paired caption's own text embedding", scores: oracle.scores },
    };

    // Every reference of every held-out image in diffusion space, once for the whole sweep.
    const refsZ = await Promise.all(Array.from({ length: test.refs }, (_, j) => h.textZ(test, j)));
    const sweepM: ShapesResults['sweepM'] = [];
    for (const m of M_SWEEP) {
      const b = await h.bridged(test, m, Math.min(s0, Math.max(m, 1)));
      const bv = await h.bridged(val, m, Math.min(s0, Math.max(m, 1)));
      let cosText = 0;
      for (const z of refsZ) cosText += h.pairedCosine(b, z, true) / test.refs;
      const textKept = m === 0 ? 1 : h.pairedCosine(await h.textZ(test, 0, m, s0), zText0, true);
      sweepM.push({ m, test: (await run(aug, b)).scores, val: (await run(aug, bv, val)).scores, cosText, textKept, nearest: nearestCosine(b, memory, d) });
    }
    const sweepS: ShapesResults['sweepS'] = [];
    for (const s of S_SWEEP) sweepS.push({ s, scores: (await run(aug, await h.bridged(test, m0, s))).scores });

    // Denoiser capacity: a 2.7x wider denoiser trained 3x longer, bridging the validation images
    // for the bundle's own decoder. Validation only: this is a diagnosis, not a model choice.
    stage('diagnostics', 'a larger denoiser, validation split');
    const dn = bundle.manifest.diffusion.denoiser;
    const bigCfg = { ...dn, width: Math.round((dn.width * 8) / 3), hidden: Math.round((dn.hidden * 8) / 3) };
    const bigSteps = 3 * o.recipe.denoiserSteps;
    const big = await trainDenoiser(
      corpusZ,
      bigCfg,
      { steps: bundle.manifest.diffusion.steps, cosineS: bundle.manifest.diffusion.cosineS, scale: h.scale },
      {
        ...DENOISER_TRAINING,
        lr: 1e-3,
        steps: bigSteps,
        seed: o.recipe.seed,
        runDir: path.join(o.work, 'runs', 'denoiser-large'),
        onProgress: (p) => o.onProgress?.('denoiser:large', p),
      },
    );
    const bigBridge = bridgeWith(h, big.ema!, bigCfg);
    const capacity: ShapesResults['capacity'] = { width: bigCfg.width, steps: bigSteps, rows: [] };
    try {
      for (const m of M_SWEEP.filter((x) => x > 0)) {
        const bv = await bigBridge.run(val.image, val.items.length, m, Math.min(s0, m));
        capacity.rows.push({ m, bundle: sweepM.find((x) => x.m === m)!.val, larger: (await run(aug, bv, val)).scores, nearest: nearestCosine(bv, memory, d) });
      }
    } finally {
      await bigBridge.close();
    }

    stage('analysis', 'cosines, retrieval, projection, errors');
    const zText1 = await h.textZ(test, 1);
    const nImg = normalise(test.image, d);
    const nText = (j: number) => normalise(Float32Array.from(test.items.flatMap((_, i) => Array.from(test.text.subarray((i * test.refs + j) * d, (i * test.refs + j + 1) * d)))), d);
    const t0 = nText(0),
      t1 = nText(1);
    const cos = (a: Rows, b: Rows): Cosines => ({ paired: h.pairedCosine(a, b, true), unpaired: h.pairedCosine(a, b, false) });
    const ckpt = readTensorFile(path.join(o.work, 'runs', 'clip', 'checkpoint.safetensors')).tensors['param/clip.logit_scale'];
    const heldOut = readShapesPart(dataDir, 'heldout');
    const scenes = heldOut.map((it) => it.scene);
    // References that each describe the whole scene, for the text–text cosine of wording alone (made here, used for nothing else).
    const whole = scenes.map((s, i) => wholeSceneCaptions(s, new Rng(o.recipe.seed, STREAM.wholeScene, i)));
    const wholeText = async (j: number) => normalise(await h.texts(whole.map((w) => w[j])), d);
    const w0 = await wholeText(0);
    const errorsOf = (caps: string[]) => summariseErrors(caps.map((caption, i) => ({ caption, scene: scenes[i] })));
    stage('publishing', 'the held-out images captioned as the product does, against the default threshold T');
    const published = await publishing(bundleDir, heldOut, o.beam);

    return {
      run: {
        command: o.command,
        date: new Date().toISOString().slice(0, 10),
        cpus: os.cpus().length,
        minutes: (Date.now() - started) / 60000,
        bundleMinutes,
        recipe: o.recipe,
        beam: o.beam,
      },
      bundle: { m: m0, s: s0, augmentStep: bundle.manifest.diffusion.augmentStep, scale: h.scale },
      clip: {
        temperature: ckpt ? 1 / Math.exp((ckpt.data as Float32Array)[0]) : null,
        images: test.items.length,
        captions: test.items.length * test.refs,
        recall: retrieval(test, d, [1, 5]),
      },
      cosines: {
        textImage: cos(t0, nImg),
        textText: cos(t0, t1),
        zTextImage: cos(zText0, zImg),
        zTextText: cos(zText0, zText1),
        zTextBridged: cos(zText0, bridged),
        meanGap: Math.hypot(...bundle.textMean.map((v, i) => v - bundle.imageMean![i])),
        wholeScene: { textImage: cos(w0, nImg), textText: cos(w0, await wholeText(1)) },
      },
      ablation,
      methods,
      sweepM,
      sweepS,
      memory: { rows: memory.length / d, captionNearest: nearestCosine(zText0, memory, d) },
      capacity,
      errors: {
        diffusionBridge: errorsOf(db.captions),
        plain: errorsOf(plainRun.captions),
        capdec: errorsOf(capdecRun.captions),
        oracle: errorsOf(oracle.captions),
        references: errorsOf(test.items.map((it) => it.references[0])),
      },
      publishing: published,
      samples: test.items.slice(0, 8).map((it, i) => ({ image: path.basename(it.file), caption: db.captions[i], reference: it.references[0] })),
      projections: {
        diffusion: projection([zText0, zImg, bridged], ['text z', 'image z', `bridged image (M = ${m0})`], d),
        clip: projection([t0, nImg], ['text', 'image'], d),
      },
    };
  } finally {
    await h.close();
  }
}
