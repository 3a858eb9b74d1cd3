/** Learning-rate schedule and the seeded random streams the trainer relies on. */
import { Rng } from '../../../worker/train/rng';
import { learningRate } from '../../../worker/train/schedule';

test('warm-up rises linearly to the peak, then cosine decays to the floor', () => {
  const s = { peak: 1e-3, warmup: 10, total: 110, floor: 1e-5 };
  expect(learningRate(s, 0)).toBeCloseTo(1e-4, 12);
  expect(learningRate(s, 9)).toBeCloseTo(1e-3, 12);
  expect(learningRate(s, 10)).toBeCloseTo(1e-3, 12);
  expect(learningRate(s, 60)).toBeCloseTo(1e-5 + 0.5 * (1e-3 - 1e-5), 12);
  expect(learningRate(s, 110)).toBeCloseTo(1e-5, 12);
  expect(learningRate(s, 500)).toBeCloseTo(1e-5, 12);
});

test('streams are reproducible from (seed, keys) and differ between keys', () => {
  const a = Array.from(
    { length: 5 },
    (
      (r) => () =>
        r.next()
    )(new Rng(1, 2, 3)),
  );
  const b = Array.from(
    { length: 5 },
    (
      (r) => () =>
        r.next()
    )(new Rng(1, 2, 3)),
  );
  const c = Array.from(
    { length: 5 },
    (
      (r) => () =>
        r.next()
    )(new Rng(1, 2, 4)),
  );
  expect(a).toEqual(b);
  expect(a).not.toEqual(c);
});

test('normal draws have mean 0 and variance 1; permutations are permutations', () => {
  const r = new Rng(42);
  const xs = Array.from({ length: 20000 }, () => r.normal());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  expect(Math.abs(mean)).toBeLessThan(0.03);
  expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  const p = Array.from(new Rng(3).permutation(100));
  expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
});
