/**
 * pca2 recovers the known principal directions and variance shares of a rotated anisotropic
 * Gaussian, is deterministic, follows its sign convention, and projects other sets into the
 * plane it fitted; degenerate input gives a clear error or zeros, never NaN.
 */
import { Rng } from '../../../worker/train/rng';
import { pca2, project } from '../../../research/report/pca';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

/** A random orthogonal matrix (rows are orthonormal), by Gram-Schmidt on Gaussian rows. */
function rotation(dim: number, rng: Rng): Float64Array[] {
  const q: Float64Array[] = [];
  while (q.length < dim) {
    const v = Float64Array.from({ length: dim }, () => rng.normal());
    for (const u of q) {
      const d = dot(v, u);
      for (let i = 0; i < dim; i++) v[i] -= d * u[i];
    }
    const norm = Math.sqrt(dot(v, v));
    q.push(v.map((x) => x / norm));
  }
  return q;
}

/** n rows of mean + Σ_k sd_k z_k axis_k, with the axes given by `q`. */
function gaussian(n: number, sds: number[], q: Float64Array[], mean: number[], rng: Rng): Float32Array {
  const dim = mean.length;
  const rows = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const z = sds.map((sd) => sd * rng.normal());
    for (let j = 0; j < dim; j++) rows[r * dim + j] = mean[j] + z.reduce((s, zk, k) => s + zk * q[k][j], 0);
  }
  return rows;
}

const DIM = 6;
const SDS = [5, 2, 1, 0.6, 0.4, 0.2];
const MEAN = [10, -3, 0.5, 7, 0, -20];
const rng = new Rng(7);
const Q = rotation(DIM, rng);
const ROWS = gaussian(4000, SDS, Q, MEAN, rng);

describe('pca2', () => {
  const fit = pca2(ROWS, DIM);

  it('recovers the rotated principal directions', () => {
    expect(Math.abs(dot(fit.dirs[0], Q[0]))).toBeGreaterThan(0.99);
    expect(Math.abs(dot(fit.dirs[1], Q[1]))).toBeGreaterThan(0.99);
    expect(dot(fit.dirs[0], fit.dirs[0])).toBeCloseTo(1, 9);
    expect(dot(fit.dirs[1], fit.dirs[1])).toBeCloseTo(1, 9);
    expect(Math.abs(dot(fit.dirs[0], fit.dirs[1]))).toBeLessThan(1e-6);
  });

  it('reports the fraction of variance each component explains', () => {
    const total = SDS.reduce((s, sd) => s + sd * sd, 0);
    expect(Math.abs(fit.explained[0] - SDS[0] ** 2 / total)).toBeLessThan(0.02);
    expect(Math.abs(fit.explained[1] - SDS[1] ** 2 / total)).toBeLessThan(0.01);
  });

  it('centres the data and projects it onto the directions', () => {
    fit.mean.forEach((m, j) => expect(Math.abs(m - MEAN[j])).toBeLessThan(0.3));
    const n = ROWS.length / DIM;
    expect(fit.coords).toHaveLength(n * 2);
    for (const c of [0, 1]) {
      let mean = 0;
      let sq = 0;
      for (let r = 0; r < n; r++) mean += fit.coords[r * 2 + c] / n;
      for (let r = 0; r < n; r++) sq += (fit.coords[r * 2 + c] - mean) ** 2 / (n - 1);
      expect(Math.abs(mean)).toBeLessThan(1e-3);
      expect(Math.sqrt(sq) / SDS[c]).toBeCloseTo(1, 1);
    }
  });

  it('is deterministic and makes the largest entry of each direction positive', () => {
    const again = pca2(ROWS, DIM);
    expect(again.coords).toEqual(fit.coords);
    expect(again.dirs).toEqual(fit.dirs);
    for (const d of fit.dirs) {
      const big = Array.from(d).reduce((b, v, i) => (Math.abs(v) > Math.abs(d[b]) ? i : b), 0);
      expect(d[big]).toBeGreaterThan(0);
    }
  });

  it('finds a direction orthogonal to the all-ones vector', () => {
    // A fixed all-ones start vector would be blind to this direction.
    const rows = new Float32Array(200 * 2);
    for (let i = 0; i < 200; i++) {
      const t = i - 100;
      rows.set([t, -t + (i % 3) * 0.01], i * 2);
    }
    const { dirs, explained } = pca2(rows, 2);
    expect(Math.abs(dot(dirs[0], [Math.SQRT1_2, -Math.SQRT1_2]))).toBeGreaterThan(0.9999);
    expect(explained[0]).toBeGreaterThan(0.9999);
  });

  it('projects other sets into the plane fitted on their union', () => {
    const a = ROWS.subarray(0, 100 * DIM);
    const b = ROWS.subarray(100 * DIM, 300 * DIM);
    const c = ROWS.subarray(300 * DIM);
    const union = new Float32Array(ROWS.length);
    [a, b, c].reduce((at, set) => (union.set(set, at), at + set.length), 0);
    const joint = pca2(union, DIM);
    const parts = [a, b, c].map((set) => project(set, DIM, joint.mean, joint.dirs));
    expect(parts.map((p) => p.length)).toEqual([200, 400, (4000 - 300) * 2]);
    const rejoined = new Float32Array(joint.coords.length);
    parts.reduce((at, p) => (rejoined.set(p, at), at + p.length), 0);
    expect(rejoined).toEqual(joint.coords);
  });

  it('gives zero coordinates and shares, not NaN, for identical rows', () => {
    const rows = new Float32Array(5 * 3).fill(2.5);
    const { coords, explained } = pca2(rows, 3);
    expect(explained).toEqual([0, 0]);
    expect(Array.from(coords).every((v) => v === 0)).toBe(true);
  });

  it('rejects fewer than two rows and ragged input with a clear error', () => {
    expect(() => pca2(new Float32Array(4), 4)).toThrow('pca2 needs at least 2 rows, got 1');
    expect(() => pca2(new Float32Array(0), 4)).toThrow('at least 2 rows, got 0');
    expect(() => pca2(new Float32Array(7), 3)).toThrow(/not a whole number of rows/);
    expect(() => pca2(new Float32Array(4), 1)).toThrow(/dim >= 2/);
    expect(() => project(new Float32Array(6), 3, [0, 0], [[1, 0, 0]])).toThrow(/length 3/);
  });
});
