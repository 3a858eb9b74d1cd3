/**
 * Two-component PCA for report figures: deterministic (fixed start vectors, sign convention), so
 * that the same embeddings always give the same picture. The fit returns its mean and directions
 * so that other sets can be projected into the same plane (fit on the union, plot each set).
 */

export interface Pca2 {
  /** [n, 2] projections of the fitted rows. */
  coords: Float32Array;
  /** Fraction of the total variance carried by each component. */
  explained: [number, number];
  mean: Float64Array;
  /** Unit principal directions, each of length dim, orthogonal. */
  dirs: [Float64Array, Float64Array];
}

const MAX_ITERS = 2000;
const TOL = 1e-12;

function rowCount(rows: Float32Array, dim: number): number {
  if (!Number.isInteger(dim) || dim < 1 || rows.length % dim !== 0) {
    throw new Error(`rows of length ${rows.length} are not a whole number of rows of dim ${dim}`);
  }
  return rows.length / dim;
}

/** Sample covariance (upper triangle computed, mirrored) of rows centred on `mean`. */
function covariance(rows: Float32Array, n: number, dim: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(dim * dim);
  const x = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) x[j] = rows[r * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const xa = x[a];
      if (xa === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += xa * x[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) cov[b * dim + a] = cov[a * dim + b] /= n - 1;
  }
  return cov;
}

/** A fixed, well-spread start vector (an integer hash, not Math.random or Math.sin, so it is identical everywhere). */
function startVector(dim: number, seed: number): Float64Array {
  return Float64Array.from({ length: dim }, (_, i) => (Math.imul(i + 1, 2654435761 + seed * 40503) >>> 0) / 2 ** 32 - 0.5);
}

function normalise(v: Float64Array): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  const norm = Math.sqrt(sq);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return norm;
}

/** Top eigenpair of symmetric `m` by power iteration; a zero matrix keeps the start vector with eigenvalue 0. */
function topEigen(m: Float64Array, dim: number, seed: number): { value: number; vector: Float64Array } {
  let v = startVector(dim, seed);
  normalise(v);
  let value = 0;
  for (let it = 0; it < MAX_ITERS; it++) {
    const w = new Float64Array(dim);
    for (let a = 0; a < dim; a++) {
      let s = 0;
      for (let b = 0; b < dim; b++) s += m[a * dim + b] * v[b];
      w[a] = s;
    }
    value = normalise(w);
    if (value === 0) break;
    // Largest entry change, up to sign; 1 - |w·v| cannot resolve angles below ~1e-8.
    let plus = 0;
    let minus = 0;
    for (let i = 0; i < dim; i++) {
      plus = Math.max(plus, Math.abs(w[i] - v[i]));
      minus = Math.max(minus, Math.abs(w[i] + v[i]));
    }
    v = w;
    if (Math.min(plus, minus) < TOL) break;
  }
  // Power iteration converges to ±v; fix the sign so that the largest-magnitude entry is positive.
  let big = 0;
  for (let i = 1; i < dim; i++) if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
  if (v[big] < 0) for (let i = 0; i < dim; i++) v[i] = -v[i];
  return { value, vector: v };
}

/** Projects [n, dim] rows onto `dirs` after subtracting `mean`: [n, dirs.length]. */
export function project(rows: Float32Array, dim: number, mean: ArrayLike<number>, dirs: readonly ArrayLike<number>[]): Float32Array {
  const n = rowCount(rows, dim);
  if (mean.length !== dim || dirs.some((d) => d.length !== dim)) throw new Error(`mean and directions must have length ${dim}`);
  const k = dirs.length;
  const out = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (rows[r * dim + j] - mean[j]) * dirs[c][j];
      out[r * k + c] = s;
    }
  }
  return out;
}

/** Fits the top two principal directions of [n, dim] rows and projects the rows onto them. */
export function pca2(rows: Float32Array, dim: number): Pca2 {
  const n = rowCount(rows, dim);
  if (n < 2) throw new Error(`pca2 needs at least 2 rows, got ${n}`);
  if (dim < 2) throw new Error(`pca2 needs dim >= 2, got ${dim}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < rows.length; i++) mean[i % dim] += rows[i] / n;
  const cov = covariance(rows, n, dim, mean);
  let total = 0;
  for (let a = 0; a < dim; a++) total += cov[a * dim + a];

  const first = topEigen(cov, dim, 1);
  // Deflate: remove the first component so the power iteration finds the second.
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b < dim; b++) cov[a * dim + b] -= first.value * first.vector[a] * first.vector[b];
  }
  const second = topEigen(cov, dim, 2);
  const dirs: [Float64Array, Float64Array] = [first.vector, second.vector];
  const explained: [number, number] = total > 0 ? [first.value / total, second.value / total] : [0, 0];
  return { coords: project(rows, dim, mean, dirs), explained, mean, dirs };
}
