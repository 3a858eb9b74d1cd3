/**
 * The domain statistics against a direct computation on a small matrix: Ledoit-Wolf intensity from
 * the paper's own formula (not the identity the implementation uses), the shrunk covariance
 * inverted by Gauss-Jordan, distances as √((x−μ)ᵀ Σ⁻¹ (x−μ)), and the score from the stored
 * percentiles.
 */
import { fitDomain, judgeDomain, mahalanobis } from '../../worker/domain';

const DIM = 3;
const ROWS = [
  [1.0, 0.2, -0.3],
  [0.8, 0.5, 0.1],
  [1.2, -0.1, 0.0],
  [0.9, 0.3, -0.2],
  [1.1, 0.4, 0.3],
  [0.7, 0.0, -0.1],
  [1.0, 0.1, 0.2],
];

const unit = (r: number[]) => r.map((v) => v / Math.hypot(...r));

/** Σ⁻¹ by Gauss-Jordan elimination with partial pivoting. */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const p = m.reduce((best, row, r) => (r >= c && Math.abs(row[c]) > Math.abs(m[best][c]) ? r : best), c);
    [m[c], m[p]] = [m[p], m[c]];
    const pivot = m[c][c];
    m[c] = m[c].map((v) => v / pivot);
    for (let r = 0; r < n; r++) if (r !== c) m[r] = m[r].map((v, j) => v - m[r][c] * m[c][j]);
  }
  return m.map((row) => row.slice(n));
}

/** Ledoit & Wolf (2004), lemma 3.2 and theorem 3.1, with the sample covariance S = XᵀX/n of the centred rows. */
function direct() {
  const x = ROWS.map(unit);
  const n = x.length;
  const mean = Array.from({ length: DIM }, (_, j) => x.reduce((a, r) => a + r[j], 0) / n);
  const c = x.map((r) => r.map((v, j) => v - mean[j]));
  const s = Array.from({ length: DIM }, (_, i) => Array.from({ length: DIM }, (_, j) => c.reduce((a, r) => a + r[i] * r[j], 0) / n));
  const frob2 = (a: number[][]) => a.flat().reduce((t, v) => t + v * v, 0) / DIM; // ‖·‖² scaled by 1/p as in the paper
  const m = s.reduce((a, row, i) => a + row[i], 0) / DIM;
  const d2 = frob2(s.map((row, i) => row.map((v, j) => v - (i === j ? m : 0))));
  const b2bar = c.reduce((a, r) => a + frob2(s.map((row, i) => row.map((v, j) => r[i] * r[j] - v))), 0) / (n * n);
  const shrinkage = Math.min(b2bar, d2) / d2;
  const sigma = s.map((row, i) => row.map((v, j) => (1 - shrinkage) * v + (i === j ? shrinkage * m : 0)));
  const inv = inverse(sigma);
  const distance = (e: number[]) => {
    const v = unit(e).map((t, j) => t - mean[j]);
    return Math.sqrt(v.reduce((a, vi, i) => a + vi * v.reduce((b, vj, j) => b + inv[i][j] * vj, 0), 0));
  };
  return { shrinkage, distance };
}

/** Equal up to relative 1e-6 (the implementation adds a 1e-9 ridge to Σ's diagonal). */
const near = (got: number, expected: number) => expect(Math.abs(got - expected) / expected).toBeLessThan(1e-6);

const fit = fitDomain(Float64Array.from(ROWS.flat()), DIM);
const want = direct();

test('Ledoit-Wolf intensity and Mahalanobis distances match a direct computation', () => {
  expect(fit.count).toBe(ROWS.length);
  expect(want.shrinkage).toBeGreaterThan(0.01);
  expect(want.shrinkage).toBeLessThan(1);
  expect(fit.shrinkage).toBeCloseTo(want.shrinkage, 10);
  for (const e of [...ROWS, [0, 1, 0], [-1, 0.5, 2]]) near(mahalanobis(fit.model, e), want.distance(e));
  // Scale does not matter: embeddings are L2-normalised first.
  near(mahalanobis(fit.model, [3, 0.6, -0.9]), want.distance(ROWS[0]));
});

test('the stored percentiles are those of the own images, and turn a distance into a score and a verdict', () => {
  const own = ROWS.map(want.distance).sort((a, b) => a - b);
  const q = fit.model.quantiles;
  near(q[0], own[0]);
  near(q[50], own[3]); // the median of 7
  near(q[100], own[6]);
  const closest = ROWS.find((r) => Math.abs(want.distance(r) - own[0]) < 1e-9)!;
  expect(judgeDomain(fit.model, closest)).toMatchObject({ verdict: 'in', score: 1 });
  const median = ROWS.find((r) => Math.abs(want.distance(r) - own[3]) < 1e-9)!;
  expect(judgeDomain(fit.model, median).score).toBeCloseTo(0.5, 6);
  const far = judgeDomain(fit.model, [-1, 0.5, 2]);
  expect(far).toMatchObject({ verdict: 'out', score: 0 });
  expect(far.distance).toBeGreaterThan(own[6]);
  expect(judgeDomain(null, ROWS[0])).toEqual({ distance: null, score: null, colour: null, verdict: 'unknown' });
});

test('with colour data, the colour distance is reported and the CLIP space alone decides', () => {
  const near0 = ROWS[0];
  const far = [-1, 0.5, 2];
  const colour = (histogram: number[]) => ({ model: fit.model, histogram });
  const both = judgeDomain(fit.model, near0, colour(near0));
  expect(both.verdict).toBe('in');
  expect(both.colour!.distance).toBeCloseTo(mahalanobis(fit.model, near0), 12);
  // CLIP space says in, the colours lie beyond their 99th percentile: still in (re-encoding alone moves colours that far).
  const byColour = judgeDomain(fit.model, near0, colour(far));
  expect(byColour).toMatchObject({ verdict: 'in', distance: both.distance, score: both.score });
  expect(byColour.colour).toMatchObject({ score: 0 });
  expect(judgeDomain(fit.model, far, colour(near0)).verdict).toBe('out');
  expect(judgeDomain(fit.model, near0, null)).toMatchObject({ verdict: 'in', colour: null });
});
