import type { CaptionStatus, ReviewReason } from './api';

/** A confidence (mean token log-probability) as the geometric-mean token probability, in percent. */
export function confidencePercent(c: number | null): string {
  return c === null ? 'n/a' : `${Math.round(Math.exp(c) * 100)} %`;
}

/** A calibrated quality (probability of no false claim) in percent; null when the bundle has no calibration. */
export const qualityPercent = (q: number | null): string => (q === null ? 'not calibrated' : `${Math.round(q * 100)} %`);

/** Why the publishing policy withheld a caption, as the panel says it. */
export const REVIEW_REASON_LABEL: Record<ReviewReason, string> = {
  'out-of-domain': 'Out of domain: the image is unlike those the model knows',
  demonstration: 'Demonstration bundle: not allowed to write alt text',
  uncalibrated: 'Quality not calibrated for this bundle',
  'low-quality': 'Quality below the threshold',
};

export const STATUS_LABEL: Record<CaptionStatus, string> = {
  queued: 'Queued',
  suggested: 'Unreviewed',
  'needs-review': 'Needs review',
  approved: 'Approved',
  edited: 'Edited',
  rejected: 'Rejected',
  failed: 'Failed',
};

export const STATUS_VARIANT: Record<CaptionStatus, 'success' | 'primary' | 'danger' | 'warning' | 'neutral' | 'secondary'> = {
  queued: 'neutral',
  suggested: 'warning',
  'needs-review': 'warning',
  approved: 'success',
  edited: 'success',
  rejected: 'danger',
  failed: 'danger',
};
