/** The publishing policy's rules (server/src/policy.ts), without Strapi: the order of reasons, the thresholds and the depth in force. */
import type { Manifest } from '../../worker/bundle/manifest';
import { bundleDomain, depthOf, isLow, reviewReason, thresholdOf } from '../../server/src/policy';

const defaults = { autoWrite: true, minQuality: null, allowDemonstration: false };
const calibrated = { demonstration: false, threshold: 0.8 };
const caption = (verdict: 'in' | 'out' | 'unknown', quality: number | null) => ({
  quality,
  domain: verdict === 'unknown' ? { distance: null, score: null, colour: null, verdict } : { distance: 1, score: 0.5, colour: null, verdict },
});

test('a caption is withheld for the most serious reason that applies', () => {
  expect(reviewReason(caption('out', 0.99), { ...defaults, allowDemonstration: true, minQuality: 0 }, { demonstration: true, threshold: 0.8 })).toBe('out-of-domain');
  expect(reviewReason(caption('in', 0.99), defaults, { demonstration: true, threshold: 0.8 })).toBe('demonstration');
  expect(reviewReason(caption('in', null), defaults, calibrated)).toBe('uncalibrated');
  expect(reviewReason(caption('in', 0.79), defaults, calibrated)).toBe('low-quality');
  expect(reviewReason(caption('in', 0.8), defaults, calibrated)).toBeNull();
  // An unknown domain (a bundle without domain data) is no reason by itself.
  expect(reviewReason(caption('unknown', 0.9), defaults, calibrated)).toBeNull();
});

test("the admin's minimum quality overrides the bundle's T; 0 lets uncalibrated captions through", () => {
  expect(thresholdOf(defaults, calibrated)).toBe(0.8);
  expect(thresholdOf({ ...defaults, minQuality: 0.95 }, calibrated)).toBe(0.95);
  expect(reviewReason(caption('in', 0.9), { ...defaults, minQuality: 0.95 }, calibrated)).toBe('low-quality');
  expect(reviewReason(caption('in', null), { ...defaults, minQuality: 0.01 }, calibrated)).toBe('uncalibrated');
  expect(reviewReason(caption('in', null), { ...defaults, minQuality: 0 }, calibrated)).toBeNull();
  expect(reviewReason(caption('in', null), { ...defaults, minQuality: 0, allowDemonstration: true }, { demonstration: true, threshold: 0.9 })).toBeNull();
});

test('low quality: the calibrated quality when there is one, else the confidence', () => {
  expect(isLow({ quality: 0.5, confidence: -0.1 }, 0.9, -1.5)).toBe(true);
  expect(isLow({ quality: 0.95, confidence: -3 }, 0.9, -1.5)).toBe(false);
  expect(isLow({ quality: null, confidence: -3 }, 0.9, -1.5)).toBe(true);
  expect(isLow({ quality: null, confidence: -1 }, 0.9, -1.5)).toBe(false);
  expect(isLow({ quality: null, confidence: null }, 0.9, -1.5)).toBe(false);
});

test("the depth in force is the admin's M, else the bundle's own; a manifest without a usable one gives the paper's 600", () => {
  const own = (diffusion: unknown) => bundleDomain('b@1.0.0', { diffusion } as unknown as Manifest).defaultM;
  expect(own({ defaultM: 200 })).toBe(200);
  expect(own({ defaultM: 0 })).toBe(0);
  for (const bad of [{}, { defaultM: -1 }, { defaultM: 2.5 }, { defaultM: 5000 }, { defaultM: '200' }]) expect(own(bad)).toBe(600);
  expect(bundleDomain('gone@1.0.0', null).defaultM).toBe(600);
  expect(depthOf({ m: null }, { defaultM: 200 })).toBe(200);
  expect(depthOf({ m: 0 }, { defaultM: 200 })).toBe(0);
  expect(depthOf({ m: 700 }, { defaultM: 200 })).toBe(700);
});
