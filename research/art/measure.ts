/**
 * The measurements of `altbridge art report`, on the bundle `art build` made (built first when
 * missing): zero-shot retrieval, the ablation, CapDec / C3 / DeCap with decoders trained on the
 * same names, the oracle, the M sweep and the Table-1 cosines, on held-out OpenMoji and on the
 * held-out clip art; and what the shipped publishing threshold lets through on held-out OpenMoji.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAB_BUNDLE, loadBundle } from '../../worker/bundle/load';
import { Captioner } from '../../worker/caption';
import { readCorpus } from '../../worker/corpus/read';
import { qualityOf } from '../../worker/quality';
import { runtimeConfig } from '../../worker/runtime';
import { textZ } from '../../worker/train/eval-text';
import { EvalSet, Harness, nearestCosine, normalise, Rows, trainBaselines } from '../eval/harness';
import { ART_CORPUS, ArtBuild, ArtBuildOptions, buildArt } from './build';
import { ArtDataSummary, ArtItem, readArtPart } from './dataset';
import { ArtResults, MethodRow, Sample } from './results';
import { nameScores, scoresByGroup } from './score';
import { ART_SOURCES } from './sources';
import { captionScored, M_SWEEP } from './tune';

export interface ArtMeasureOptions extends ArtBuildOptions {
  recipe: ArtBuild;
  beam: number;
}

/** Nearest corpus line to each image by cosine in CLIP space: zero-shot retrieval. */
function retrieve(set: EvalSet, lines: string[], embeds: Rows, dim: number): string[] {
  const img = normalise(set.image, dim);
  const txt = normalise(embeds, dim);
  const out: string[] = [];
  for (let i = 0; i < set.items.length; i++) {
    let best = -Infinity;
    let at = 0;
    for (let j = 0; j < lines.length; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += img[i * dim + k] * txt[j * dim + k];
      if (s > best) [best, at] = [s, j];
    }
    out.push(lines[at]);
  }
  return out;
}

export async function measureArt(o: ArtMeasureOptions): Promise<ArtResults> {
  const started = Date.now();
  const stage = (s: string, d: string) => o.onStage?.(s, d);
  const { dataDir } = await buildArt(o.recipe, o);
  const bundleMinutes = (Date.now() - started) / 60000;
  const bundle = loadBundle(o.out);
  const summary = JSON.parse(fs.readFileSync(path.join(dataDir, 'summary.json'), 'utf8')) as ArtDataSummary;
  const h = await Harness.open(bundle, path.join(o.work, 'cache'));
  try {
    const evalItems = (items: ArtItem[]) => items.map((it) => ({ file: it.image, references: it.texts }));
    const parts = { emoji: readArtPart(dataDir, 'heldout'), clipart: readArtPart(dataDir, 'clipartHeldout'), val: readArtPart(dataDir, 'val') };
    stage('embed', `${parts.emoji.length} held-out OpenMoji, ${parts.clipart.length} held-out clip art, ${parts.val.length} validation images`);
    const sets = { emoji: await h.evalSet(evalItems(parts.emoji)), clipart: await h.evalSet(evalItems(parts.clipart)), val: await h.evalSet(evalItems(parts.val)) };
    const d = h.dim;
    const m0 = bundle.manifest.diffusion.defaultM;
    const s0 = bundle.manifest.diffusion.ddimSteps;
    const corpus = path.join(dataDir, 'corpus.txt');

    stage('baselines', `decoders for plain, CapDec, C3 and DeCap (${o.recipe.decoderSteps} steps each)`);
    const training = {
      corpus,
      corpusOptions: ART_CORPUS,
      runDir: path.join(o.work, 'runs', 'baselines'),
      seed: o.recipe.seed,
      steps: o.recipe.decoderSteps,
      draws: o.recipe.draws,
      onProgress: o.onProgress,
    };
    const { plain, capdec, c3, decap } = await trainBaselines(h, training);
    const aug = bundle.decoder;
    const lines = (await readCorpus(corpus, ART_CORPUS)).train;
    const lineEmbeds = await h.texts(lines);
    const corpusZ = textZ(lineEmbeds, bundle.textMean, h.scale);

    const score = (which: 'emoji' | 'clipart', captions: string[]) =>
      nameScores(
        captions,
        parts[which].map((p) => p.name),
        parts[which].map((p) => p.texts),
      );
    const methodsOn = async (which: 'emoji' | 'clipart'): Promise<{ rows: MethodRow[]; db: string[]; retrieval: string[]; zImg: Rows; bridged: Rows }> => {
      const set = sets[which];
      const run = async (dec: Map<string, Float32Array>, conds: Rows) => (await h.caption(dec, conds, set, o.beam)).captions;
      const zImg = await h.bridged(set, 0, 0);
      const bridged = await h.bridged(set, m0, s0);
      const db = await run(aug, bridged);
      const retrieval = retrieve(set, lines, lineEmbeds, d);
      const rows: [string, string, string[]][] = [
        ['retrieval', 'CLIP zero-shot retrieval: the nearest corpus name by cosine', retrieval],
        ['plain', 'plain: decoder on text embeddings, image z without bridging', await run(plain.weights, zImg)],
        ['bridging', `+ bridging (M = ${m0}, S = ${s0})`, await run(plain.weights, bridged)],
        ['augmentOnly', 'augmentation without bridging (M = 0)', await run(aug, zImg)],
        ['capdec', 'CapDec (noise σ² = 0.016)', await run(capdec.weights, h.capdec(set))],
        ['c3', 'C3 (mean-centring + noise)', await run(c3.weights, zImg)],
        ['decap', 'DeCap (memory projection, τ = 1/100)', await run(decap.weights, h.decap(set, decap.memory))],
        ['diffusionBridge', `Diffusion Bridge (M = ${m0}, S = ${s0}, A = ${bundle.manifest.diffusion.augmentStep})`, db],
        ['oracle', "oracle: the name's own text embedding", await run(aug, await h.textZ(set, 0))],
      ];
      return { rows: rows.map(([key, name, caps]) => ({ key, name, scores: score(which, caps) })), db, retrieval, zImg, bridged };
    };
    stage('captions', 'every method on held-out OpenMoji and held-out clip art');
    const emoji = await methodsOn('emoji');
    const clipart = await methodsOn('clipart');

    stage('sweep', `M = ${M_SWEEP.join(', ')} on validation and held-out images`);
    const sweepM: ArtResults['sweepM'] = [];
    const zText0 = await h.textZ(sets.emoji, 0);
    for (const m of M_SWEEP) {
      const steps = Math.min(s0, Math.max(m, 1));
      const b = await h.bridged(sets.emoji, m, steps);
      const bv = await h.bridged(sets.val, m, steps);
      const caps = (await h.caption(aug, b, sets.emoji, o.beam)).captions;
      const capsVal = (await h.caption(aug, bv, sets.val, o.beam)).captions;
      sweepM.push({
        m,
        test: score('emoji', caps),
        val: nameScores(
          capsVal,
          parts.val.map((p) => p.name),
          parts.val.map((p) => p.texts),
        ),
        cosName: h.pairedCosine(b, zText0, true),
        nearest: nearestCosine(b, corpusZ, d),
      });
    }

    stage('analysis', 'cosines, groups, the publishing threshold');
    const cos = (a: Rows, b: Rows) => ({ paired: h.pairedCosine(a, b, true), unpaired: h.pairedCosine(a, b, false) });
    const nImg = normalise(sets.emoji.image, d);
    const nText = (j: number) => normalise(Float32Array.from(parts.emoji.flatMap((_, i) => Array.from(sets.emoji.text.subarray((i * 2 + j) * d, (i * 2 + j + 1) * d)))), d);

    // What the shipped threshold publishes of held-out OpenMoji, through the product's own captioner.
    const cal = bundle.manifest.quality!;
    const captioner = await Captioner.open(bundle, runtimeConfig());
    let published: ArtResults['published'];
    try {
      const scored = await captionScored(
        captioner,
        parts.emoji.map((p) => p.image),
        parts.emoji.map((p) => p.name),
        o.beam,
      );
      const ok = scored.filter((x) => x !== null);
      const up = ok.filter((x) => (qualityOf(cal, x.inputs) ?? 0) >= cal.threshold);
      published = {
        threshold: cal.threshold,
        chosenWith: cal.chosenWith,
        images: scored.length,
        right: ok.filter((x) => x.right).length,
        published: up.length,
        publishedRight: up.filter((s) => s.right).length,
      };
    } finally {
      await captioner.close();
    }
    // The previous default bundle on the same images, through the same captioner: does art-mini beat it on real images?
    const lab = loadBundle(LAB_BUNDLE);
    const labCaptioner = await Captioner.open(lab, runtimeConfig());
    let labScores: ArtResults['lab'];
    try {
      const scored = await captionScored(
        labCaptioner,
        parts.emoji.map((p) => p.image),
        parts.emoji.map((p) => p.name),
        o.beam,
      );
      labScores = {
        bundle: `${lab.manifest.name}@${lab.manifest.version}`,
        scores: score(
          'emoji',
          scored.map((x) => x?.caption ?? ''),
        ),
      };
    } finally {
      await labCaptioner.close();
    }
    const samples = (which: 'emoji' | 'clipart', caps: string[], retrieval: string[]): Sample[] =>
      parts[which]
        .map((p, i) => ({ image: p.image, name: p.name, caption: caps[i], retrieval: retrieval[i], group: p.group }))
        .filter((_, i) => i % Math.max(1, Math.floor(parts[which].length / 12)) === 0)
        .slice(0, 12);
    const groups = (which: 'emoji' | 'clipart', caps: string[]) =>
      scoresByGroup(
        caps,
        parts[which].map((p) => p.name),
        parts[which].map((p) => p.texts),
        parts[which].map((p) => p.group),
      );
    return {
      run: { command: o.command, date: new Date().toISOString().slice(0, 10), cpus: os.cpus().length, minutes: (Date.now() - started) / 60000, bundleMinutes, recipe: o.recipe, beam: o.beam },
      sources: ART_SOURCES.map((s) => ({ name: s.name, version: s.version, licence: s.licence, use: s.use })),
      data: summary,
      bundle: { m: m0, s: s0, augmentStep: bundle.manifest.diffusion.augmentStep, mbytes: Object.values(bundle.manifest.files).reduce((a, f) => a + f.bytes, 0) / 1e6 },
      emoji: { methods: emoji.rows, groups: groups('emoji', emoji.db), retrievalGroups: groups('emoji', emoji.retrieval), samples: samples('emoji', emoji.db, emoji.retrieval) },
      clipart: { methods: clipart.rows, groups: groups('clipart', clipart.db), samples: samples('clipart', clipart.db, clipart.retrieval) },
      sweepM,
      cosines: {
        textImage: cos(nText(0), nImg),
        textText: cos(nText(0), nText(1)),
        zTextImage: cos(zText0, emoji.zImg),
        zTextBridged: cos(zText0, emoji.bridged),
        meanGap: Math.hypot(...bundle.textMean.map((v, i) => v - bundle.imageMean![i])),
      },
      published,
      lab: labScores,
    };
  } finally {
    await h.close();
  }
}
