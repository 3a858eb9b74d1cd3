/**
 * The trust report and calibration: captions held-out ShapesWorld scenes (two seeds the bundle
 * never saw, scenes of its own training data left out) and out-of-domain images (sources.ts),
 * labels each caption (a ShapesWorld caption is correct when the claim checker finds no false claim;
 * every out-of-domain caption is incorrect), fits the quality estimate on one split (the first seed
 * and the even-numbered images of each source) and checks it on the other. Writes REPORT.md and,
 * when asked, the calibration into the bundle's manifest (nothing else of the bundle changes).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Bundle, loadBundle } from '../../worker/bundle/load';
import { checkManifest } from '../../worker/bundle/manifest';
import { editManifest } from '../../worker/bundle/write';
import { Captioner, isFailure } from '../../worker/caption';
import { DomainVerdict } from '../../worker/domain';
import { featureValue, QUALITY_FEATURES, QualityCalibration, QualityFeature, QualityInputs } from '../../worker/quality';
import { runtimeConfig } from '../../worker/runtime';
import { ShapesBuild } from '../shapes/build';
import { ATTRIBUTES, captionErrors } from '../shapes/errors';
import { generateShapes, partScenes } from '../shapes/generate';
import { readShapesPart } from '../shapes/data';
import { sceneKey } from '../shapes/scene';
import { aurocOf, fitLogistic, predictLogistic, reliability } from './logistic';
import { charts, debianImages, npmImages, OodSource } from './sources';

export interface TrustOptions {
  bundle: string;
  cache: string;
  /** Held-out ShapesWorld scenes per split. */
  scenes: number;
  /** Out-of-domain images per source (most). */
  perSource: number;
  /** Seeds of the fit and check ShapesWorld scenes. */
  seeds: [number, number];
  /** Wanted share of auto-written in-domain captions with no false claim. */
  target: number;
  l2: number;
  beam: number;
  log?: (line: string) => void;
}

export const TRUST_DEFAULTS: Omit<TrustOptions, 'bundle' | 'cache'> = { scenes: 800, perSource: 200, seeds: [1001, 2002], target: 0.95, l2: 0.01, beam: 3 };
/** The fewest in-domain captions above T that a threshold may rest on. */
const MIN_ABOVE = 20;
/** The features a bundle can offer: all, less nearestCaption without the corpus matrix. */
const featuresOf = (b: Bundle): QualityFeature[] => QUALITY_FEATURES.filter((f) => f !== 'nearestCaption' || b.corpus !== null);

interface Item {
  file: string;
  source: string;
  split: 'fit' | 'check';
  inDomain: boolean;
  correct: boolean;
  caption: string;
  inputs: QualityInputs;
  /** The domain check's verdict, and the colour histogram's distance (null without colour data). */
  verdict: DomainVerdict['verdict'];
  colour: number | null;
  quality?: number;
}

/** What the publishing policy lets through at T (server/src/policy.ts, the demonstration gate aside): not out of domain, quality at least T. */
const publishes = (i: Item, t: number): boolean => i.verdict !== 'out' && i.quality! >= t;

export interface TrustResult {
  bundle: string;
  options: Omit<TrustOptions, 'log'>;
  sources: OodSource[];
  items: Item[];
  calibration: QualityCalibration;
  threshold: { value: number; reached: boolean; fit: { precision: number; above: number; inDomain: number } };
  check: {
    precision: number;
    above: number;
    inDomain: number;
    correctInDomain: number;
    heldBack: number;
    heldBackCorrect: number;
    oodThrough: number;
    ood: number;
    oodThroughBySource: Record<string, [number, number]>;
    /** Captions the domain check calls out, in domain and per out-of-domain source: [called out, of]. */
    calledOut: Record<string, [number, number]>;
  };
  /** nearestCaption: AUROC of the nearest-caption cosine alone (higher in domain); NaN without the corpus matrix. */
  /** colour: AUROC of the colour histogram's distance alone; NaN without colour data. */
  auroc: { source: string; distance: number; colour: number; nearestCaption: number; quality: number; n: number }[];
  correctAuroc: { quality: number; confidence: number; nearestCaption: number };
  reliability: ReturnType<typeof reliability>;
  reliabilityInDomain: ReturnType<typeof reliability>;
  coefficients: { feature: string; coefficient: number }[];
  seconds: number;
}

/** Held-out scenes of `seed` as a ShapesWorld folder in the cache, without scenes the bundle trained or was evaluated on. */
async function scenesFor(cache: string, recipe: ShapesBuild, seed: number, count: number) {
  const dir = path.join(cache, `shapes-seed${seed}-${count}`);
  const stamp = path.join(dir, 'options.json');
  const opts = { seed, pairs: 0, texts: 0, heldOut: count, size: recipe.data.size };
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== JSON.stringify(opts)) {
    fs.rmSync(dir, { recursive: true, force: true });
    await generateShapes(dir, opts);
    fs.writeFileSync(stamp, JSON.stringify(opts));
  }
  const seen = partScenes(recipe.data);
  const known = new Set([...seen.pairs, ...seen.texts, ...seen.heldOut].map(sceneKey));
  return readShapesPart(dir, 'heldout').filter((h) => !known.has(sceneKey(h.scene)));
}

const rowOf = (features: QualityFeature[], x: QualityInputs) => features.map((f) => featureValue(f, x) ?? NaN);
const nearestOf = (i: Item) => i.inputs.nearestCaption ?? NaN;
const colourOf = (i: Item) => i.colour ?? NaN;
const domainOf = (r: { domain: DomainVerdict }) => ({ verdict: r.domain.verdict, colour: r.domain.colour?.distance ?? null });

/** Share correct, count published at T, of the in-domain items. */
function above(items: Item[], t: number) {
  const inside = items.filter((i) => i.inDomain);
  const up = inside.filter((i) => publishes(i, t));
  return { precision: up.length ? up.filter((i) => i.correct).length / up.length : NaN, above: up.length, inDomain: inside.length };
}

/**
 * The lowest T at which at least `target` of the in-domain captions with quality ≥ T are correct
 * (with at least MIN_ABOVE of them); when none reaches it, the T of the best precision with that
 * coverage (reached false).
 */
export function chooseThreshold(pred: number[], correct: boolean[], target: number, minAbove = MIN_ABOVE): { value: number; reached: boolean } {
  const order = pred.map((p, i) => ({ p, c: correct[i] })).sort((a, b) => b.p - a.p);
  let ok = 0;
  let best = { value: 1, precision: -1 };
  let lowest: number | null = null;
  for (let k = 0; k < order.length; k++) {
    ok += order[k].c ? 1 : 0;
    // Only at the last of a run of equal predictions: T = p keeps them all.
    if (k + 1 < order.length && order[k + 1].p === order[k].p) continue;
    const n = k + 1;
    if (n < minAbove) continue;
    const precision = ok / n;
    if (precision >= target) lowest = order[k].p;
    if (precision > best.precision) best = { value: order[k].p, precision };
  }
  return lowest !== null ? { value: lowest, reached: true } : { value: best.value, reached: false };
}

export async function measureTrust(bundle: Bundle, o: TrustOptions): Promise<TrustResult> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const recipe = bundle.manifest.provenance.recipe?.shapes as ShapesBuild | undefined;
  if (!recipe) throw new Error(`trust: bundle ${bundle.manifest.name} records no ShapesWorld recipe, so there is no claim checker for its captions`);
  if (!bundle.domain) throw new Error(`trust: bundle ${bundle.manifest.name} has no domain data: npx altbridge images-mean --bundle ${bundle.manifest.name} --domain-only --from-recipe`);
  const features = featuresOf(bundle);
  if (!bundle.corpus) log(`no corpus matrix in ${bundle.manifest.name}: fitting without nearestCaption (add it: npx altbridge models add-corpus ${bundle.manifest.name} --from-recipe)`);
  fs.mkdirSync(o.cache, { recursive: true });
  log('out-of-domain sources');
  const sources = [
    debianImages(o.cache, 'desktop-base', o.perSource),
    npmImages(o.cache, 'emoji-datasource-google@16.0.0', 'img/google/64', o.perSource),
    await charts(o.cache, Math.min(o.perSource, 60)),
  ];
  const captioner = await Captioner.open(bundle, runtimeConfig());
  const items: Item[] = [];
  try {
    for (const [s, seed] of o.seeds.entries()) {
      const scenes = await scenesFor(o.cache, recipe, seed, o.scenes);
      log(`ShapesWorld seed ${seed}: captioning ${scenes.length} scenes`);
      const res = await captioner.captionWithInputs(
        scenes.map((h) => h.image),
        { beam: o.beam },
      );
      res.forEach((r, i) => {
        if (isFailure(r)) throw new Error(`trust: ${r.file}: ${r.error}`);
        const e = captionErrors(r.caption, scenes[i].scene);
        const correct = ATTRIBUTES.every((a) => e[a].wrong === 0);
        items.push({ file: r.file, source: 'ShapesWorld', split: s === 0 ? 'fit' : 'check', inDomain: true, correct, caption: r.caption, inputs: r.inputs, ...domainOf(r) });
      });
    }
    for (const src of sources) {
      log(`${src.name}: captioning ${src.files.length} images`);
      const res = await captioner.captionWithInputs(src.files, { beam: o.beam });
      let k = 0;
      for (const r of res) {
        if (isFailure(r)) {
          log(`${r.file}: skipped: ${r.error}`);
          continue;
        }
        items.push({ file: r.file, source: src.name, split: k++ % 2 === 0 ? 'fit' : 'check', inDomain: false, correct: false, caption: r.caption, inputs: r.inputs, ...domainOf(r) });
      }
    }
  } finally {
    await captioner.close();
  }
  const fitItems = items.filter((i) => i.split === 'fit');
  const checkItems = items.filter((i) => i.split === 'check');
  const fit = fitLogistic(
    fitItems.map((i) => rowOf(features, i.inputs)),
    fitItems.map((i) => (i.correct ? 1 : 0)),
    { l2: o.l2 },
  );
  for (const i of items) i.quality = predictLogistic(fit, rowOf(features, i.inputs));
  // T is chosen over the captions the domain check lets through: the policy never publishes the others.
  const fitIn = fitItems.filter((i) => i.inDomain && i.verdict !== 'out');
  const t = chooseThreshold(
    fitIn.map((i) => i.quality!),
    fitIn.map((i) => i.correct),
    o.target,
  );
  const fitAbove = above(fitItems, t.value);
  const checkIn = checkItems.filter((i) => i.inDomain);
  const checkAbove = above(checkItems, t.value);
  const checkOod = checkItems.filter((i) => !i.inDomain);
  const oodThroughBySource: Record<string, [number, number]> = {};
  for (const s of sources) {
    const mine = checkOod.filter((i) => i.source === s.name);
    oodThroughBySource[s.name] = [mine.filter((i) => publishes(i, t.value)).length, mine.length];
  }
  const calledOut = Object.fromEntries(
    ['ShapesWorld', ...sources.map((s) => s.name)].map((name) => {
      const mine = checkItems.filter((i) => i.source === name);
      return [name, [mine.filter((i) => i.verdict === 'out').length, mine.length] as [number, number]];
    }),
  );
  const check = {
    ...checkAbove,
    correctInDomain: checkIn.filter((i) => i.correct).length,
    heldBack: checkIn.filter((i) => !publishes(i, t.value)).length,
    heldBackCorrect: checkIn.filter((i) => !publishes(i, t.value) && i.correct).length,
    oodThrough: checkOod.filter((i) => publishes(i, t.value)).length,
    ood: checkOod.length,
    oodThroughBySource,
    calledOut,
  };
  // In vs out of domain on the check split: the distance is larger out of domain, the quality lower.
  const inside = checkIn;
  const auroc = [...sources.map((s) => s.name), 'all out-of-domain'].map((name) => {
    const out = checkOod.filter((i) => name === 'all out-of-domain' || i.source === name);
    return {
      source: name,
      n: out.length,
      distance: aurocOf(
        out.map((i) => i.inputs.distance!),
        inside.map((i) => i.inputs.distance!),
      ),
      colour: bundle.colourDomain ? aurocOf(out.map(colourOf), inside.map(colourOf)) : NaN,
      nearestCaption: bundle.corpus ? aurocOf(inside.map(nearestOf), out.map(nearestOf)) : NaN,
      quality: aurocOf(
        inside.map((i) => i.quality!),
        out.map((i) => i.quality!),
      ),
    };
  });
  const good = checkIn.filter((i) => i.correct);
  const bad = checkIn.filter((i) => !i.correct);
  const calibration: QualityCalibration = {
    model: 'logistic',
    features,
    mean: fit.mean,
    scale: fit.scale,
    coefficients: fit.coefficients,
    intercept: fit.intercept,
    threshold: t.value,
    chosenWith: {
      rule: t.reached
        ? `lowest T with >= ${o.target * 100} % of the in-domain captions the policy publishes at T (quality >= T, not called out by the domain check) making no false claim (fit split)`
        : `target ${o.target * 100} % not reached on the fit split: T of the highest precision with >= ${MIN_ABOVE} published captions`,
      targetReached: t.reached,
      fitPrecision: fitAbove.precision,
      fitAbove: fitAbove.above,
      fitInDomain: fitAbove.inDomain,
      checkPrecision: check.precision,
      checkAbove: check.above,
      checkInDomain: check.inDomain,
      checkOodThrough: check.oodThrough,
      checkOod: check.ood,
      shapesSeeds: o.seeds.join(', '),
      l2: o.l2,
      beam: o.beam,
    },
  };
  checkManifest({ ...bundle.manifest, quality: calibration }, bundle.dir);
  return {
    bundle: `${bundle.manifest.name}@${bundle.manifest.version}`,
    options: { bundle: o.bundle, cache: o.cache, scenes: o.scenes, perSource: o.perSource, seeds: o.seeds, target: o.target, l2: o.l2, beam: o.beam },
    sources,
    items,
    calibration,
    threshold: { value: t.value, reached: t.reached, fit: fitAbove },
    check,
    auroc,
    correctAuroc: {
      quality: aurocOf(
        good.map((i) => i.quality!),
        bad.map((i) => i.quality!),
      ),
      confidence: aurocOf(
        good.map((i) => i.inputs.confidence),
        bad.map((i) => i.inputs.confidence),
      ),
      nearestCaption: bundle.corpus ? aurocOf(good.map(nearestOf), bad.map(nearestOf)) : NaN,
    },
    reliability: reliability(
      checkItems.map((i) => i.quality!),
      checkItems.map((i) => (i.correct ? 1 : 0)),
    ),
    reliabilityInDomain: reliability(
      checkIn.map((i) => i.quality!),
      checkIn.map((i) => (i.correct ? 1 : 0)),
    ),
    coefficients: features.map((f, j) => ({ feature: f, coefficient: fit.coefficients[j] })),
    seconds: (Date.now() - started) / 1000,
  };
}

/** Writes the calibration into the bundle's manifest.json; every other field and file stays as it was. */
export function writeCalibration(dir: string, cal: QualityCalibration, command: string): void {
  editManifest(dir, (raw) => {
    const commands = raw.provenance.commands.filter((c) => !c.startsWith('quality calibration:'));
    raw.provenance.commands = [...commands, `quality calibration: ${command}`];
    raw.quality = cal;
  });
}

const sumCounts = (xs: [number, number][]): [number, number] => xs.reduce(([a, b], [k, n]) => [a + k, b + n], [0, 0]);
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

export function renderTrustReport(r: TrustResult, command: string): string {
  const fitIn = r.items.filter((i) => i.split === 'fit' && i.inDomain);
  const checkIn = r.items.filter((i) => i.split === 'check' && i.inDomain);
  const byShare = (xs: Item[]) => `${xs.filter((i) => i.correct).length} of ${xs.length} (${pct(xs.filter((i) => i.correct).length / xs.length)})`;
  const c = r.check;
  const lines = [
    '# Trust report: in-domain score and calibrated quality estimate',
    '',
    `Bundle ${r.bundle}. Regenerate with \`${command}\` (about ${Math.ceil(r.seconds / 60)} min on 2 cores; downloads cached in the cache folder, never committed).`,
    '',
    '## Data',
    '',
    `- In domain: ShapesWorld held-out scenes drawn with seeds the bundle never saw (fit split seed ${r.options.seeds[0]}, check split seed ${r.options.seeds[1]}; ${r.options.scenes} drawn each, scenes of the bundle's own recipe removed). A caption is correct when the claim checker (research/shapes/errors.ts) finds no false claim about colour, binding, shape, count or relation. Correct: fit ${byShare(fitIn)}, check ${byShare(checkIn)}.`,
    '- Out of domain (every caption counts as incorrect: a ShapesWorld caption of these is a false claim); even-numbered images go to the fit split, odd-numbered to the check split:',
    '',
    '| source | obtained from | licence | images |',
    '|---|---|---|---:|',
    ...r.sources.map((s) => `| ${s.name} | ${s.origin} | ${s.licence} | ${r.items.filter((i) => i.source === s.name).length} |`),
    '',
    `Captions with beam ${r.options.beam} and the bundle's default bridging.`,
    '',
    '## The estimate',
    '',
    `Logistic regression (L2 ${r.options.l2}, standardised features, Newton's method from zero: deterministic) on the fit split, predicting "no false claim". Stored in the bundle manifest's \`quality\` block; worker/quality.ts applies it to every caption.`,
    '',
    '| feature | meaning | coefficient (per standard deviation) |',
    '|---|---|---:|',
    ...r.coefficients.map((k) => `| ${k.feature} | ${FEATURE_WORDS[k.feature]} | ${k.coefficient.toFixed(3)} |`),
    `| (intercept) | | ${r.calibration.intercept.toFixed(3)} |`,
    '',
    '## In domain vs out of domain (check split)',
    '',
    "AUROC: the chance that a held-out ShapesWorld image ranks as more in-domain than an out-of-domain one (distances: smaller; quality: higher). Called out: the domain check's verdict, 'out' beyond the 99th percentile of the bundle's own images in CLIP space (worker/domain.ts; the colour-histogram distance is reported beside it and does not decide); the policy never publishes those.",
    '',
    '| source | images | AUROC, CLIP domain distance alone | AUROC, colour-histogram distance alone | AUROC, nearest-caption cosine alone | AUROC, quality estimate | called out by the domain check |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...r.auroc.map((a) => {
      const [k, n] = a.source === 'all out-of-domain' ? sumCounts(r.sources.map((s) => c.calledOut[s.name])) : c.calledOut[a.source];
      return `| ${a.source} | ${a.n} | ${f3(a.distance)} | ${f3(a.colour)} | ${f3(a.nearestCaption)} | ${f3(a.quality)} | ${k} of ${n} |`;
    }),
    `| ShapesWorld (in domain) | ${c.calledOut.ShapesWorld[1]} | | | | | ${c.calledOut.ShapesWorld[0]} of ${c.calledOut.ShapesWorld[1]} |`,
    '',
    `Within ShapesWorld (check split), correct vs incorrect captions: AUROC ${f3(r.correctAuroc.quality)} for the quality estimate, ${f3(r.correctAuroc.confidence)} for the decoder's confidence alone, ${f3(r.correctAuroc.nearestCaption)} for the nearest-caption cosine alone.`,
    '',
    '## Reliability (check split, in- and out-of-domain together)',
    '',
    '| predicted | captions | mean predicted | observed correct |',
    '|---|---:|---:|---:|',
    ...r.reliability.bins.map((b) => `| ${b.lo.toFixed(1)}–${b.hi.toFixed(1)} | ${b.count} | ${b.count ? f3(b.meanPredicted) : ''} | ${b.count ? f3(b.observed) : ''} |`),
    '',
    `Expected calibration error: **${f3(r.reliability.ece)}** (all check-split captions); ${f3(r.reliabilityInDomain.ece)} over the in-domain ones alone.`,
    '',
    '## Default threshold T',
    '',
    r.threshold.reached
      ? `T = **${r.calibration.threshold.toFixed(3)}**: the lowest threshold at which at least ${pct(r.options.target)} of the fit split's in-domain captions with quality ≥ T (and not called out by the domain check) make no false claim (at least ${MIN_ABOVE} of them): ${pct(r.threshold.fit.precision)} of ${r.threshold.fit.above} on the fit split.`
      : `**The ${pct(r.options.target)} goal is not reached on the fit split**: no threshold with at least ${MIN_ABOVE} in-domain captions above it has that share correct. T = **${r.calibration.threshold.toFixed(3)}** is the threshold of the highest precision with that coverage: ${pct(r.threshold.fit.precision)} of ${r.threshold.fit.above} on the fit split.`,
    '',
    'On the check split, a caption is published when the policy lets it through: quality ≥ T and not called out by the domain check:',
    '',
    `- published in-domain captions with no false claim: **${pct(c.precision)}** (${Math.round(c.precision * c.above) || 0} of ${c.above})${c.precision >= r.options.target ? '' : ` — below the ${pct(r.options.target)} goal`};`,
    `- in-domain captions held back: **${c.heldBack} of ${c.inDomain}** (${pct(c.heldBack / c.inDomain)}), ${c.heldBackCorrect} of them correct (of ${c.correctInDomain} correct in all);`,
    `- out-of-domain captions published: **${c.oodThrough} of ${c.ood}** (${Object.entries(c.oodThroughBySource)
      .map(([s, [k, n]]) => `${s} ${k}/${n}`)
      .join(', ')}).`,
    '',
  ];
  return lines.join('\n');
}

const FEATURE_WORDS: Record<string, string> = {
  confidence: "decoder's mean token log-probability",
  minLogprob: 'least token log-probability',
  tokens: 'caption length in tokens',
  logDistance: 'log of the Mahalanobis distance from the bundle images (CLIP space)',
  domainScore: 'share of the bundle images farther away',
  nearestCaption: 'cosine of the bridged embedding to the nearest stored corpus caption (diffusion space)',
};

/** Measures, writes REPORT.md to `out` (unless null) and, if asked, the calibration into the bundle. */
export async function trustReport(o: TrustOptions & { out: string | null; writeBundle: boolean; command: string }): Promise<TrustResult> {
  const bundle = loadBundle(o.bundle);
  const r = await measureTrust(bundle, o);
  if (o.out) {
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, 'REPORT.md'), renderTrustReport(r, o.command));
  }
  if (o.writeBundle) writeCalibration(bundle.dir, r.calibration, o.command);
  return r;
}
