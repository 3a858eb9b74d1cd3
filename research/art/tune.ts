/**
 * The settings an ArtWorld bundle ships with, chosen on its validation split (Noto images of emoji
 * CLIP saw only in other styles), never on the held-out style:
 * - M, the bridging depth, by CIDEr-D on the validation images (exact names, a handful of hits
 *   on 151 images, are too coarse to choose by);
 * - the quality estimate and its publishing threshold: a caption counts as right when it is the
 *   emoji's exact name; out-of-domain images (wallpapers, charts, ShapesWorld scenes) count as
 *   wrong. T is the lowest quality at which 95 % of the validation captions above it are right;
 *   where no T reaches that, T = 1 and the bundle publishes nothing without review.
 */
import * as path from 'path';
import { loadBundle } from '../../worker/bundle/load';
import { Manifest } from '../../worker/bundle/manifest';
import { updateBundle } from '../../worker/bundle/write';
import { Captioner, isFailure } from '../../worker/caption';
import { featureValue, QUALITY_FEATURES, QualityCalibration, QualityInputs } from '../../worker/quality';
import { runtimeConfig } from '../../worker/runtime';
import { captionsByDepth } from '../depth-sweep';
import { generateShapes } from '../shapes/generate';
import { readShapesPart } from '../shapes/data';
import { fitLogistic, predictLogistic } from '../trust/logistic';
import { chooseThreshold, writeCalibration } from '../trust/report';
import { charts, debianImages, OodSource } from '../trust/sources';
import { ArtItem } from './dataset';
import { isExact, nameScores, NameScores } from './score';

export const M_SWEEP = [0, 100, 200, 400, 600, 800, 900];
/** Wanted share of published captions that are right. */
export const PUBLISH_TARGET = 0.95;
const L2 = 0.01;

export interface MChoice {
  m: number;
  rows: { m: number; scores: NameScores }[];
}

/** The M of the highest CIDEr-D on the validation images, written as the bundle's default. */
export async function chooseM(bundleDir: string, val: ArtItem[], beam: number): Promise<MChoice> {
  const sweep = await captionsByDepth(
    bundleDir,
    val.map((v) => v.image),
    M_SWEEP,
    beam,
  );
  const rows: MChoice['rows'] = sweep.map(({ m, captions }) => ({
    m,
    scores: nameScores(
      captions,
      val.map((v) => v.name),
      val.map((v) => v.texts),
    ),
  }));
  const best = rows.reduce((a, r) => (r.scores.cider > a.scores.cider ? r : a));
  const m = loadBundle(bundleDir).manifest;
  // updateBundle is typed for the CLIP part; the rest of the manifest passes through it unchanged.
  updateBundle(bundleDir, {}, { diffusion: { ...m.diffusion, defaultM: best.m } } as Partial<Manifest>);
  return { m: best.m, rows };
}

/** Out-of-domain images for the calibration: wallpapers and logos, charts, ShapesWorld scenes. */
export async function outOfDomain(cache: string, perSource: number): Promise<OodSource[]> {
  const shapesDir = path.join(cache, `shapes-ood-${perSource}`);
  await generateShapes(shapesDir, { seed: 4242, pairs: 0, texts: 0, heldOut: perSource, size: 64 });
  return [
    debianImages(cache, 'desktop-base', perSource),
    await charts(cache, Math.min(perSource, 60)),
    { name: 'ShapesWorld scenes', origin: 'generated here (seed 4242)', licence: 'MIT (this project)', files: readShapesPart(shapesDir, 'heldout').map((h) => h.image) },
  ];
}

export interface Scored {
  file: string;
  caption: string;
  right: boolean;
  inputs: QualityInputs;
}

/** Captions with their quality inputs, one per file (null where it could not be read); `names` null marks out-of-domain images (always wrong). */
export async function captionScored(captioner: Captioner, files: string[], names: string[] | null, beam: number): Promise<(Scored | null)[]> {
  const res = await captioner.captionWithInputs(files, { beam });
  return res.map((r, i) => (isFailure(r) ? null : { file: r.file, caption: r.caption, right: names !== null && isExact(r.caption, names[i]), inputs: r.inputs }));
}

const read = (s: (Scored | null)[]): Scored[] => s.filter((x): x is Scored => x !== null);

const rowOf = (x: QualityInputs) => QUALITY_FEATURES.map((f) => featureValue(f, x) ?? NaN);

export interface Calibrated {
  calibration: QualityCalibration;
  fit: { val: number; valRight: number; ood: number; published: number; publishedRight: number };
}

/** Fits the estimate on the validation captions and every other out-of-domain image, and writes it into the bundle. */
export async function calibrateArt(bundleDir: string, val: ArtItem[], ood: OodSource[], beam: number, command: string): Promise<Calibrated> {
  const captioner = await Captioner.open(loadBundle(bundleDir), runtimeConfig());
  let inside: Scored[];
  let outside: Scored[];
  try {
    inside = read(
      await captionScored(
        captioner,
        val.map((v) => v.image),
        val.map((v) => v.name),
        beam,
      ),
    );
    outside = read(
      await captionScored(
        captioner,
        ood.flatMap((s) => s.files.filter((_, i) => i % 2 === 0)),
        null,
        beam,
      ),
    );
  } finally {
    await captioner.close();
  }
  const all = [...inside, ...outside];
  const f = fitLogistic(
    all.map((s) => rowOf(s.inputs)),
    all.map((s) => (s.right ? 1 : 0)),
    { l2: L2 },
  );
  const quality = inside.map((s) => predictLogistic(f, rowOf(s.inputs)));
  const t = chooseThreshold(
    quality,
    inside.map((s) => s.right),
    PUBLISH_TARGET,
  );
  const threshold = t.reached ? t.value : 1;
  const up = inside.filter((_, i) => quality[i] >= threshold);
  const calibration: QualityCalibration = {
    model: 'logistic',
    features: [...QUALITY_FEATURES],
    mean: f.mean,
    scale: f.scale,
    coefficients: f.coefficients,
    intercept: f.intercept,
    threshold,
    chosenWith: {
      rule: t.reached
        ? `lowest T with >= ${PUBLISH_TARGET * 100} % of validation captions above T being the exact name`
        : `no T reached ${PUBLISH_TARGET * 100} % exact names on the validation split: T = 1, nothing is published without review`,
      targetReached: t.reached,
      validation: inside.length,
      validationRight: inside.filter((s) => s.right).length,
      outOfDomain: outside.length,
      beam,
    },
  };
  writeCalibration(bundleDir, calibration, command);
  return { calibration, fit: { val: inside.length, valRight: inside.filter((s) => s.right).length, ood: outside.length, published: up.length, publishedRight: up.filter((s) => s.right).length } };
}
