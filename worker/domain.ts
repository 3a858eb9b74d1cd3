/**
 * What a bundle's images look like, and how far a new image is from them: the mean and shrunk
 * covariance of L2-normalised feature rows (CLIP image embeddings; colour histograms) give a
 * Mahalanobis distance, and the distribution of that distance over the bundle's own images turns a
 * distance into a score.
 *
 * The covariance is shrunk toward the scaled identity with the Ledoit-Wolf intensity: it is chosen
 * from the data (no knob to tune per bundle), keeps the matrix invertible when a user's folder has
 * fewer images than dimensions (512-d real CLIP, a few hundred images) and fades to the sample
 * covariance when there are many (4750 images of 64-d ShapesWorld: intensity near 0).
 */

/** Percentiles 0..100 of the distance are stored, so a distance maps to a score by interpolation. */
export const DOMAIN_PERCENTILES = 101;
/** The colour model's tensors in the domain file carry this prefix (the CLIP model's none). */
export const COLOUR_PREFIX = 'colour_';
/** Added to Σ's diagonal so that one image, or identical ones (Σ = 0), still give a factor: far below any real variance. */
const RIDGE = 1e-9;

export interface DomainModel {
  dim: number;
  /** Mean of the normalised embeddings [dim]. */
  mean: Float64Array;
  /** W = L⁻¹ with Σ = L·Lᵀ (row-major [dim, dim], lower triangular): distance = ‖W(x − mean)‖. */
  whiten: Float64Array;
  /** Distance at percentiles 0, 1, …, 100 of the bundle's own images. */
  quantiles: Float64Array;
}

export interface DomainFit {
  model: DomainModel;
  count: number;
  /** Ledoit-Wolf intensity δ in Σ = (1 − δ)·S + δ·(tr S / d)·I. */
  shrinkage: number;
}

/** Rows [n, dim] L2-normalised into float64. */
function normalised(rows: ArrayLike<number>, dim: number): Float64Array {
  const out = Float64Array.from(rows);
  for (let i = 0; i < out.length; i += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += out[i + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) out[i + j] *= inv;
  }
  return out;
}

/** Ledoit-Wolf shrunk covariance of centred rows (as scikit-learn's `ledoit_wolf`, no further centring) and its intensity. */
export function ledoitWolf(centred: Float64Array, n: number, dim: number): { cov: Float64Array; shrinkage: number } {
  const s = new Float64Array(dim * dim);
  let fourth = 0;
  for (let r = 0; r < n; r++) {
    const x = centred.subarray(r * dim, (r + 1) * dim);
    let sq = 0;
    for (let i = 0; i < dim; i++) {
      sq += x[i] * x[i];
      for (let j = 0; j <= i; j++) s[i * dim + j] += x[i] * x[j];
    }
    fourth += sq * sq;
  }
  let trace = 0;
  let frob = 0;
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      const v = (s[i * dim + j] /= n);
      s[j * dim + i] = v;
      frob += i === j ? v * v : 2 * v * v;
    }
    trace += s[i * dim + i];
  }
  const mu = trace / dim;
  // δ̂² = ‖S − μI‖²/d (distance to the target), β̂² = ‖x xᵀ − S‖² averaged over rows /(n·d) (the estimate's noise).
  const delta = (frob - 2 * mu * trace + dim * mu * mu) / dim;
  const beta = Math.min(delta, (fourth / n - frob) / (dim * n));
  const shrinkage = delta > 0 ? beta / delta : 0;
  for (let i = 0; i < dim * dim; i++) s[i] *= 1 - shrinkage;
  for (let i = 0; i < dim; i++) s[i * dim + i] += shrinkage * mu;
  return { cov: s, shrinkage };
}

/** Inverse of the Cholesky factor of a symmetric positive-definite matrix. */
export function inverseCholesky(a: Float64Array, dim: number): Float64Array {
  const l = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * dim + j];
      for (let k = 0; k < j; k++) s -= l[i * dim + k] * l[j * dim + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('domain: covariance is not positive definite');
        l[i * dim + i] = Math.sqrt(s);
      } else l[i * dim + j] = s / l[j * dim + j];
    }
  }
  // Forward substitution column by column: L·W = I.
  const w = new Float64Array(dim * dim);
  for (let c = 0; c < dim; c++) {
    for (let i = c; i < dim; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[i * dim + k] * w[k * dim + c];
      w[i * dim + c] = s / l[i * dim + i];
    }
  }
  return w;
}

/** ‖W·x‖ for a centred, normalised embedding x: one triangular matrix-vector product. */
function whitenedNorm(whiten: Float64Array, x: Float64Array, dim: number): number {
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    let y = 0;
    for (let j = 0; j <= i; j++) y += whiten[i * dim + j] * x[j];
    sum += y * y;
  }
  return Math.sqrt(sum);
}

/** Mahalanobis distance of one raw embedding (normalised here) from the model's images. */
export function mahalanobis(model: DomainModel, embedding: ArrayLike<number>): number {
  const x = normalised(embedding, model.dim);
  for (let j = 0; j < model.dim; j++) x[j] -= model.mean[j];
  return whitenedNorm(model.whiten, x, model.dim);
}

/** Value at quantile q of sorted values, interpolated linearly (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The domain of a set of raw image embeddings [n, dim]. */
export function fitDomain(embeddings: Float32Array | Float64Array, dim: number): DomainFit {
  const n = embeddings.length / dim;
  if (!Number.isInteger(n) || n < 1) throw new Error(`domain: needs image embeddings of ${dim} values each, got ${embeddings.length} values`);
  const x = normalised(embeddings, dim);
  const mean = new Float64Array(dim);
  for (let i = 0; i < x.length; i++) mean[i % dim] += x[i] / n;
  for (let i = 0; i < x.length; i++) x[i] -= mean[i % dim];
  const { cov, shrinkage } = ledoitWolf(x, n, dim);
  for (let i = 0; i < dim; i++) cov[i * dim + i] += RIDGE;
  const whiten = inverseCholesky(cov, dim);
  const distances = Float64Array.from({ length: n }, (_, r) => whitenedNorm(whiten, x.subarray(r * dim, (r + 1) * dim), dim)).sort();
  const quantiles = Float64Array.from({ length: DOMAIN_PERCENTILES }, (_, k) => quantile(distances, k / (DOMAIN_PERCENTILES - 1)));
  return { model: { dim, mean, whiten, quantiles }, count: n, shrinkage };
}

/** How far one image lies from the bundle's images in one space, and the share of those images farther still. */
export interface DomainMeasure {
  distance: number;
  score: number;
}

export type DomainVerdict = (DomainMeasure & { colour: DomainMeasure | null; verdict: 'in' | 'out' }) | { distance: null; score: null; colour: null; verdict: 'unknown' };

/**
 * Score = share of the bundle's own images at least as far from the centre (1 − empirical CDF,
 * interpolated between stored percentiles; 1 inside the closest, 0 beyond the farthest); beyond:
 * past the 99th percentile.
 */
function measure(model: DomainModel, x: ArrayLike<number>): DomainMeasure & { beyond: boolean } {
  const distance = mahalanobis(model, x);
  const q = model.quantiles;
  const last = q.length - 1;
  let cdf: number;
  if (distance <= q[0]) cdf = 0;
  else if (distance >= q[last]) cdf = 1;
  else {
    let k = 0;
    while (q[k + 1] < distance) k++;
    cdf = (k + (q[k + 1] > q[k] ? (distance - q[k]) / (q[k + 1] - q[k]) : 1)) / last;
  }
  return { distance, score: 1 - cdf, beyond: distance > q[99] };
}

/**
 * The image is 'out' when its CLIP embedding lies beyond the 99th percentile of the bundle's own images (about
 * 1 % of in-domain images are called out). Where the bundle has colour data, the colour histogram's distance and
 * score (worker/colour-histogram.ts) are reported beside it but do not decide: re-encoding alone (a PNG saved with a
 * palette, a JPEG at quality 80, as an upload pipeline may) moves a quarter to three quarters of in-domain
 * ShapesWorld scenes past that space's 99th percentile (models/README.md).
 */
export function judgeDomain(model: DomainModel | null, embedding: ArrayLike<number>, colour?: { model: DomainModel; histogram: ArrayLike<number> } | null): DomainVerdict {
  if (!model) return { distance: null, score: null, colour: null, verdict: 'unknown' };
  const clip = measure(model, embedding);
  const hist = colour ? measure(colour.model, colour.histogram) : null;
  return {
    distance: clip.distance,
    score: clip.score,
    colour: hist && { distance: hist.distance, score: hist.score },
    verdict: clip.beyond ? 'out' : 'in',
  };
}

/** The manifest's summary of the stored percentiles. */
export const domainQuantiles = (q: Float64Array) => ({ p50: q[50], p95: q[95], p99: q[99], max: q[100] });
