/** The quality estimate's logistic regression: recovers known coefficients, is deterministic, and the report's figures are right on hand-made cases. */
import { chooseThreshold } from '../../../research/trust/report';
import { aurocOf, fitLogistic, predictLogistic, reliability } from '../../../research/trust/logistic';
import { sigmoid } from '../../../worker/quality';
import { Rng } from '../../../worker/train/rng';

/** Rows of two standard-normal features and labels drawn from σ(b + w·x). */
function synthetic(n: number, w: [number, number], b: number, seed: number) {
  const rng = new Rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
  const x = Array.from({ length: n }, () => [gauss(), gauss()]);
  const y = x.map((r) => (rng.uniform() < sigmoid(b + w[0] * r[0] + w[1] * r[1]) ? 1 : 0));
  return { x, y };
}

test('recovers the coefficients of the model that drew the labels', () => {
  const { x, y } = synthetic(20000, [1.5, -0.8], -0.5, 7);
  const f = fitLogistic(x, y, { l2: 0 });
  // Standardised coefficients back on the raw scale.
  const raw = f.coefficients.map((c, j) => c / f.scale[j]);
  const intercept = f.intercept - raw.reduce((s, c, j) => s + c * f.mean[j], 0);
  expect(raw[0]).toBeCloseTo(1.5, 1);
  expect(raw[1]).toBeCloseTo(-0.8, 1);
  expect(intercept).toBeCloseTo(-0.5, 1);
});

test('separable data: L2 keeps the coefficients finite, in the separating direction, and every row is classified right', () => {
  const x: number[][] = [];
  const y: number[] = [];
  const rng = new Rng(3);
  for (let i = 0; i < 400; i++) {
    const a = rng.uniform() * 4 - 2;
    const b = rng.uniform() * 4 - 2;
    // Label 1 when 2a + b > 0.3, with a margin kept clear.
    const m = 2 * a + b - 0.3;
    if (Math.abs(m) < 0.2) continue;
    x.push([a, b]);
    y.push(m > 0 ? 1 : 0);
  }
  const f = fitLogistic(x, y, { l2: 0.01 });
  expect(f.coefficients.every(Number.isFinite)).toBe(true);
  const raw = f.coefficients.map((c, j) => c / f.scale[j]);
  expect(raw[0] / raw[1]).toBeCloseTo(2, 0);
  x.forEach((r, i) => expect(predictLogistic(f, r) > 0.5 ? 1 : 0).toBe(y[i]));
});

test('is deterministic: the same data give the same fit, bit for bit', () => {
  const { x, y } = synthetic(2000, [0.7, 0.2], 1, 11);
  expect(fitLogistic(x, y)).toEqual(fitLogistic(x, y));
});

test('a larger L2 penalty shrinks the coefficients', () => {
  const { x, y } = synthetic(2000, [2, -1], 0, 5);
  const norm = (l2: number) => Math.hypot(...fitLogistic(x, y, { l2 }).coefficients);
  expect(norm(1)).toBeLessThan(norm(0.01));
});

test('AUROC, reliability and ECE on hand-made cases', () => {
  expect(aurocOf([3, 4], [1, 2])).toBe(1);
  expect(aurocOf([1], [1])).toBe(0.5);
  expect(aurocOf([1, 3], [2])).toBe(0.5);
  const r = reliability([0.05, 0.05, 0.95, 0.95], [0, 1, 1, 1], 10);
  expect(r.bins[0]).toMatchObject({ count: 2, observed: 0.5 });
  expect(r.bins[9]).toMatchObject({ count: 2, observed: 1 });
  expect(r.ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.05, 10);
});

test('the threshold is the lowest at which the share correct above it reaches the target, else the best precision, said so', () => {
  const pred = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
  const correct = [true, true, true, false, true, false];
  expect(chooseThreshold(pred, correct, 0.75, 1)).toEqual({ value: 0.5, reached: true });
  expect(chooseThreshold(pred, correct, 1, 1)).toEqual({ value: 0.7, reached: true });
  expect(chooseThreshold(pred, correct, 1, 4)).toEqual({ value: 0.5, reached: false });
});
