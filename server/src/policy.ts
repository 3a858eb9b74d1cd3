/**
 * The publishing policy: whether a machine caption may go to alternativeText on its own, or must
 * wait for a person. Wrong alt text is worse than none (a screen reader states it as fact), so a
 * caption is published only when the product can stand behind it; the write-through rule (empty or
 * the plugin's own text) still applies on top. The threshold and the bridging depth in force are
 * the admin's where set, else the bundle's own (its calibration holds at its own M).
 */
import type { Manifest } from '../../worker/bundle/manifest';
import type { CaptionResult } from '../../worker/caption';
import { BRIDGE_DEFAULTS, MAX_M } from '../../worker/diffusion';
import { BundleDomain, DEFAULT_QUALITY_THRESHOLD, ReviewReason, Settings } from './contracts';

export type PolicySettings = Pick<Settings, 'autoWrite' | 'minQuality' | 'allowDemonstration'>;

/** The quality threshold in force: the admin's, else the bundle's calibrated T. */
export const thresholdOf = (s: PolicySettings, bundle: Pick<BundleDomain, 'threshold'>): number => s.minQuality ?? bundle.threshold;

/** The bridging depth in force: the admin's, else the bundle's own (the M its calibration was fitted at). */
export const depthOf = (s: Pick<Settings, 'm'>, bundle: Pick<BundleDomain, 'defaultM'>): number => s.m ?? bundle.defaultM;

/**
 * What the policy knows of a bundle, from its manifest: its domain, and its quality threshold when
 * that is a probability (else the default). A bundle whose manifest cannot be read (null) is treated
 * as a demonstration of unknown domain, so its captions wait for a person.
 */
export function bundleDomain(ref: string, manifest: Manifest | null): BundleDomain {
  if (manifest === null) return { ref, description: null, demonstration: true, threshold: DEFAULT_QUALITY_THRESHOLD, defaultM: BRIDGE_DEFAULTS.defaultM };
  const m = (manifest as { diffusion?: { defaultM?: unknown } }).diffusion?.defaultM;
  const t = (manifest as { quality?: { threshold?: unknown } }).quality?.threshold;
  return {
    ref,
    description: manifest.domain?.description ?? null,
    demonstration: manifest.domain?.demonstration === true,
    threshold: typeof t === 'number' && t >= 0 && t <= 1 ? t : DEFAULT_QUALITY_THRESHOLD,
    defaultM: typeof m === 'number' && Number.isInteger(m) && m >= 0 && m <= MAX_M ? m : BRIDGE_DEFAULTS.defaultM,
  };
}

/** Why the caption cannot be published, most serious reason first; null when it may be. */
export function reviewReason(result: Pick<CaptionResult, 'quality' | 'domain'>, s: PolicySettings, bundle: Pick<BundleDomain, 'demonstration' | 'threshold'>): ReviewReason | null {
  if (result.domain.verdict === 'out') return 'out-of-domain';
  if (bundle.demonstration && !s.allowDemonstration) return 'demonstration';
  // minQuality 0 is an admin turning the quality bar off: unknown quality passes it too.
  const t = thresholdOf(s, bundle);
  if (result.quality === null) return t === 0 ? null : 'uncalibrated';
  return result.quality >= t ? null : 'low-quality';
}

/**
 * A stored caption is low quality when its calibrated quality is below the threshold in force, or,
 * without calibration, its confidence below the configured low-confidence threshold. The Captions
 * filter, the audit and the panel's badge all use this one definition (the SQL in lowSql).
 */
export const isLow = (c: { quality: number | null; confidence: number | null }, minQuality: number, lowConfidence: number): boolean =>
  c.quality !== null ? c.quality < minQuality : c.confidence !== null && c.confidence < lowConfidence;

/** isLow in SQL over a caption table alias; bindings: minQuality, lowConfidence. */
export const lowSql = (alias: string): string => `coalesce(${alias}.quality < ?, ${alias}.confidence < ?, false)`;
