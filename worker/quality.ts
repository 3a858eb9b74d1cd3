/**
 * The calibrated quality estimate of a caption: the probability that it makes no false claim, from
 * a logistic regression over cheap per-caption features (the decoder's mean and least token
 * log-probability, the caption's length in tokens, and how far the image lies from the bundle's own
 * images, and how close the bridged embedding lies to the nearest stored corpus caption). The regression is fitted offline (`altbridge trust calibrate`, research/trust/) and
 * stored in the bundle manifest's optional `quality` block; here it is only applied, and checked.
 */

/** The features a calibration may use, by the names the manifest stores. */
export const QUALITY_FEATURES = ['confidence', 'minLogprob', 'tokens', 'logDistance', 'domainScore', 'nearestCaption'] as const;
export type QualityFeature = (typeof QUALITY_FEATURES)[number];
/** Features that need the bundle's domain data (manifest `domain`). */
const DOMAIN_FEATURES: ReadonlySet<QualityFeature> = new Set(['logDistance', 'domainScore']);

/** What a caption offers the estimate; domain values are null for a bundle without domain data, nearestCaption for one without a corpus matrix. */
export interface QualityInputs {
  /** Mean token log-probability. */
  confidence: number;
  /** Least token log-probability. */
  minLogprob: number;
  /** Tokens in the caption (the end token not counted). */
  tokens: number;
  /** Mahalanobis distance of the image embedding from the bundle's images. */
  distance: number | null;
  /** Share of the bundle's images farther still. */
  score: number | null;
  /** Cosine of the bridged embedding to the nearest stored corpus caption (worker/nearest-caption.ts). */
  nearestCaption: number | null;
}

/** The manifest's `quality` block. */
export interface QualityCalibration {
  model: 'logistic';
  /** Features in coefficient order. */
  features: QualityFeature[];
  /** Standardisation: z = (x − mean) / scale, per feature. */
  mean: number[];
  scale: number[];
  coefficients: number[];
  intercept: number;
  /** Default publishing threshold T: captions with quality ≥ T may be written without review. */
  threshold: number;
  /** The figures T was chosen with, and how (for people; free-form numbers and words). */
  chosenWith: Record<string, number | string | boolean>;
}

/** One feature's value, or null when the caption lacks it (no domain data, no corpus matrix). */
export function featureValue(f: QualityFeature, x: QualityInputs): number | null {
  switch (f) {
    case 'confidence':
      return x.confidence;
    case 'minLogprob':
      return x.minLogprob;
    case 'tokens':
      return x.tokens;
    case 'logDistance':
      return x.distance === null ? null : Math.log(x.distance + 1e-6);
    case 'domainScore':
      return x.score;
    case 'nearestCaption':
      return x.nearestCaption;
  }
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** The most an estimate says: never certainty, so that a threshold of 1 lets nothing through. */
const MOST_QUALITY = 1 - 1e-9;

/** The estimate in [0, 1) for one caption; null when a feature the calibration needs is missing. */
export function qualityOf(cal: QualityCalibration, x: QualityInputs): number | null {
  let z = cal.intercept;
  for (let i = 0; i < cal.features.length; i++) {
    const v = featureValue(cal.features[i], x);
    if (v === null || !Number.isFinite(v)) return null;
    z += (cal.coefficients[i] * (v - cal.mean[i])) / cal.scale[i];
  }
  return Math.min(sigmoid(z), MOST_QUALITY);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks a manifest's `quality` block; throws naming the first wrong field. `hasDomain` says whether
 * the manifest has domain data, which the domain features need, `hasCorpus` whether it has the
 * corpus matrix, which nearestCaption needs.
 */
export function checkQualityCalibration(raw: unknown, hasDomain: boolean, where: string, hasCorpus = false): QualityCalibration {
  const fail = (field: string, want: string): never => {
    throw new Error(`bundle ${where}: manifest.json field "quality${field ? '.' + field : ''}" must be ${want}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('', 'an object');
  const q = raw as Record<string, unknown>;
  if (q.model !== 'logistic') fail('model', '"logistic"');
  if (!Array.isArray(q.features) || q.features.length === 0) fail('features', 'a non-empty array of feature names');
  const features = q.features as unknown[];
  features.forEach((f, i) => {
    if (!QUALITY_FEATURES.includes(f as QualityFeature)) fail(`features[${i}]`, `one of ${QUALITY_FEATURES.join(', ')}`);
    if (features.indexOf(f) !== i) fail(`features[${i}]`, 'named once');
    if (!hasDomain && DOMAIN_FEATURES.has(f as QualityFeature)) fail(`features[${i}]`, `a feature the bundle can compute ("${String(f)}" needs the manifest's domain data, which it lacks)`);
    if (!hasCorpus && f === 'nearestCaption') fail(`features[${i}]`, `a feature the bundle can compute ("nearestCaption" needs the manifest's corpus matrix, which it lacks)`);
  });
  for (const k of ['mean', 'scale', 'coefficients']) {
    const a = q[k];
    if (!Array.isArray(a) || a.length !== features.length || !a.every(finite)) fail(k, `an array of ${features.length} finite numbers, one per feature`);
  }
  if (!(q.scale as number[]).every((s) => s > 0)) fail('scale', 'positive numbers');
  if (!finite(q.intercept)) fail('intercept', 'a finite number');
  if (!finite(q.threshold) || q.threshold < 0 || q.threshold > 1) fail('threshold', 'a number in [0, 1]');
  const c = q.chosenWith;
  if (typeof c !== 'object' || c === null || Array.isArray(c) || !Object.values(c).every((v) => finite(v) || typeof v === 'string' || typeof v === 'boolean')) {
    fail('chosenWith', 'an object of numbers, strings and booleans');
  }
  return q as unknown as QualityCalibration;
}
