/**
 * The quality estimate: worker/quality.ts applies the stored calibration exactly, the manifest's
 * `quality` block is checked (a tampered one is refused with the field named), and the Captioner
 * fills `quality` for a bundle with a calibration and leaves it null without one.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { makeRandomBundle } from '../../worker/bundle/random';
import { Captioner, CaptionResult, isFailure } from '../../worker/caption';
import { checkQualityCalibration, QualityCalibration, qualityOf, QualityInputs } from '../../worker/quality';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-quality-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const CAL: QualityCalibration = {
  model: 'logistic',
  features: ['confidence', 'minLogprob', 'tokens'],
  mean: [-1, -3, 10],
  scale: [0.5, 2, 4],
  coefficients: [1.2, 0.4, -0.3],
  intercept: -0.7,
  threshold: 0.6,
  chosenWith: { rule: 'test', targetReached: true, fitPrecision: 0.96 },
};
const X: QualityInputs = { confidence: -0.5, minLogprob: -2, tokens: 14, distance: null, score: null, nearestCaption: null };

/** A copy of `dir`'s bundle with `quality` set in its manifest (the manifest itself is not hashed). */
function withQuality(dir: string, name: string, quality: unknown): string {
  const out = path.join(root, name);
  fs.cpSync(dir, out, { recursive: true });
  const file = path.join(out, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  m.quality = quality;
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  return out;
}

test('never reaches certainty, so a threshold of 1 lets no caption through', () => {
  // z = 0.7 + 1.2 * 200 / 0.5: far past where the logistic rounds to exactly 1 in float64.
  const q = qualityOf({ ...CAL, intercept: 0.7 }, { ...X, confidence: 199 })!;
  expect(1 / (1 + Math.exp(-480))).toBe(1);
  expect(q).toBeLessThan(1);
  expect(q).toBeGreaterThan(0.999999);
});

test('maps features to [0, 1] as the stored calibration says', () => {
  const z = -0.7 + (1.2 * (-0.5 + 1)) / 0.5 + (0.4 * (-2 + 3)) / 2 + (-0.3 * (14 - 10)) / 4;
  expect(qualityOf(CAL, X)).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
  // Monotone in a feature as its coefficient's sign says, and always inside [0, 1].
  expect(qualityOf(CAL, { ...X, confidence: -0.2 })!).toBeGreaterThan(qualityOf(CAL, X)!);
  expect(qualityOf(CAL, { ...X, tokens: 30 })!).toBeLessThan(qualityOf(CAL, X)!);
  for (const confidence of [-1e6, -5, 0, 1e6]) {
    const q = qualityOf(CAL, { ...X, confidence })!;
    expect(q).toBeGreaterThanOrEqual(0);
    expect(q).toBeLessThanOrEqual(1);
  }
});

test('domain features use the log distance and the score; a caption without domain data has no quality under them', () => {
  const cal: QualityCalibration = { ...CAL, features: ['logDistance', 'domainScore'], mean: [0, 0.5], scale: [1, 0.25], coefficients: [-2, 1], intercept: 0.1 };
  const z = 0.1 - 2 * Math.log(3 + 1e-6) + (1 * (0.2 - 0.5)) / 0.25;
  expect(qualityOf(cal, { ...X, distance: 3, score: 0.2 })).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
  expect(qualityOf(cal, X)).toBeNull();
});

test('a tampered or invalid quality block is refused, naming the field', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ model: 'tree' }, /"quality.model" must be "logistic"/],
    [{ features: ['confidence', 'colourfulness', 'tokens'] }, /"quality.features\[1\]" must be one of/],
    [{ features: ['confidence', 'confidence', 'tokens'] }, /"quality.features\[1\]" must be named once/],
    [{ coefficients: [1, 2] }, /"quality.coefficients" must be an array of 3 finite numbers/],
    [{ mean: [0, null, 0] }, /"quality.mean" must be an array of 3 finite numbers/],
    [{ scale: [1, 0, 1] }, /"quality.scale" must be positive numbers/],
    [{ intercept: 'high' }, /"quality.intercept" must be a finite number/],
    [{ threshold: 1.5 }, /"quality.threshold" must be a number in \[0, 1\]/],
    [{ chosenWith: { x: [1] } }, /"quality.chosenWith" must be an object/],
  ];
  for (const [change, message] of bad) expect(() => checkQualityCalibration({ ...CAL, ...change }, false, 'B')).toThrow(message);
  expect(() => checkQualityCalibration('0.5', false, 'B')).toThrow(/"quality" must be an object/);
  expect(() => checkQualityCalibration({ ...CAL, features: ['confidence', 'logDistance', 'tokens'] }, false, 'B')).toThrow(/"logDistance" needs the manifest's domain data/);
  expect(checkQualityCalibration({ ...CAL, features: ['confidence', 'logDistance', 'tokens'] }, true, 'B').features).toContain('logDistance');
});

describe('Captioner', () => {
  let plain: string;
  let image: string;
  beforeAll(async () => {
    plain = path.join(root, 'plain');
    makeRandomBundle(plain, 'tiny', 3);
    image = path.join(root, 'red.png');
    await sharp({ create: { width: 40, height: 40, channels: 3, background: '#d01010' } })
      .png()
      .toFile(image);
  });

  const captionWith = async (dir: string) => {
    const c = await Captioner.open(loadBundle(dir));
    try {
      const [plainResult] = await c.caption([image], { maxTokens: 6 });
      const [withInputs] = await c.captionWithInputs([image], { maxTokens: 6 });
      if (isFailure(plainResult) || isFailure(withInputs)) throw new Error('caption failed');
      return { result: plainResult as CaptionResult, inputs: withInputs.inputs };
    } finally {
      await c.close();
    }
  };

  test('fills quality from the calibration, and leaves it null without one', async () => {
    const without = await captionWith(plain);
    expect(without.result.quality).toBeNull();
    expect(without.result).not.toHaveProperty('inputs');
    const calibrated = await captionWith(withQuality(plain, 'calibrated', CAL));
    expect(calibrated.result.caption).toBe(without.result.caption);
    expect(calibrated.inputs).toEqual({ confidence: calibrated.result.confidence, minLogprob: expect.any(Number), tokens: expect.any(Number), distance: null, score: null, nearestCaption: null });
    expect(calibrated.inputs.minLogprob).toBeLessThanOrEqual(calibrated.result.confidence);
    expect(calibrated.result.quality).toBeCloseTo(qualityOf(CAL, calibrated.inputs)!, 12);
    expect(calibrated.result.quality).toBeGreaterThan(0);
    expect(calibrated.result.quality).toBeLessThan(1);
  });

  test('a bundle whose quality block is tampered with does not load', () => {
    const dir = withQuality(plain, 'tampered', { ...CAL, coefficients: [1, 2] });
    expect(() => loadBundle(dir)).toThrow(/manifest.json field "quality.coefficients" must be an array of 3 finite numbers/);
  });
});
