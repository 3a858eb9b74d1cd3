/**
 * L2-regularised logistic regression on standardised features, fitted by Newton's method (IRLS)
 * from zero: no random draws, so a fit is the same on every run and machine up to float rounding of
 * the same operations in the same order. Also the figures a calibration is judged by: AUROC,
 * reliability bins and expected calibration error.
 */
import { sigmoid } from '../../worker/quality';

export interface LogisticFit {
  mean: number[];
  scale: number[];
  coefficients: number[];
  intercept: number;
  iterations: number;
}

/** Solves A·x = b (A symmetric positive definite, row-major n×n) by Cholesky. */
function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j][j];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * Fits P(y = 1 | x) = σ(b + Σ w_j·(x_j − μ_j)/s_j), minimising the mean log-loss plus
 * (l2/2)·‖w‖² (the intercept is not penalised). μ and s are the features' mean and standard
 * deviation over `x` (s = 1 for a constant feature).
 */
export function fitLogistic(x: number[][], y: number[], o: { l2?: number; maxIterations?: number } = {}): LogisticFit {
  const n = x.length;
  if (n === 0 || n !== y.length) throw new Error(`fitLogistic: needs as many labels as rows, got ${n} rows and ${y.length} labels`);
  const d = x[0].length;
  const l2 = o.l2 ?? 1e-2;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / n);
  const scale = Array.from({ length: d }, (_, j) => {
    const sd = Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n);
    return sd > 1e-12 ? sd : 1;
  });
  // Design rows with a leading 1 for the intercept.
  const z = x.map((r) => [1, ...r.map((v, j) => (v - mean[j]) / scale[j])]);
  const p = d + 1;
  let w = new Array<number>(p).fill(0);
  let iterations = 0;
  for (; iterations < (o.maxIterations ?? 100); iterations++) {
    const grad = new Array<number>(p).fill(0);
    const hess = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < n; i++) {
      const zi = z[i];
      let t = 0;
      for (let j = 0; j < p; j++) t += w[j] * zi[j];
      const mu = sigmoid(t);
      const r = mu - y[i];
      const v = Math.max(mu * (1 - mu), 1e-10);
      for (let j = 0; j < p; j++) {
        grad[j] += (r * zi[j]) / n;
        for (let k = 0; k <= j; k++) hess[j][k] += (v * zi[j] * zi[k]) / n;
      }
    }
    for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) hess[j][k] = hess[k][j];
    for (let j = 1; j < p; j++) {
      grad[j] += l2 * w[j];
      hess[j][j] += l2;
    }
    hess[0][0] += 1e-9;
    const step = solveSpd(hess, grad);
    w = w.map((v, j) => v - step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-10) {
      iterations++;
      break;
    }
  }
  return { mean, scale, coefficients: w.slice(1), intercept: w[0], iterations };
}

/** The fitted probability for one row. */
export function predictLogistic(f: Pick<LogisticFit, 'mean' | 'scale' | 'coefficients' | 'intercept'>, row: number[]): number {
  let t = f.intercept;
  for (let j = 0; j < row.length; j++) t += (f.coefficients[j] * (row[j] - f.mean[j])) / f.scale[j];
  return sigmoid(t);
}

/** P(a random positive scores above a random negative), ties counted half (Mann-Whitney), in O(n log n). */
export function aurocOf(positives: number[], negatives: number[]): number {
  if (!positives.length || !negatives.length) return NaN;
  const all = [...positives.map((v) => ({ v, pos: true })), ...negatives.map((v) => ({ v, pos: false }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].pos) rankSum += rank;
    i = j;
  }
  const np = positives.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * negatives.length);
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number;
  observed: number;
}

/** Predicted vs observed in `bins` equal-width bins of the prediction, and the expected calibration error. */
export function reliability(pred: number[], label: number[], bins = 10): { bins: ReliabilityBin[]; ece: number } {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({ lo: b / bins, hi: (b + 1) / bins, count: 0, meanPredicted: 0, observed: 0 }));
  pred.forEach((p, i) => {
    const b = out[Math.min(bins - 1, Math.floor(p * bins))];
    b.count++;
    b.meanPredicted += p;
    b.observed += label[i];
  });
  let ece = 0;
  for (const b of out) {
    if (b.count === 0) continue;
    b.meanPredicted /= b.count;
    b.observed /= b.count;
    ece += (b.count / pred.length) * Math.abs(b.meanPredicted - b.observed);
  }
  return { bins: out, ece };
}
