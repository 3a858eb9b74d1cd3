import type { CaptionStatus } from './api';

/** Captions whose mean token log-probability is below this count as low confidence. */
export const LOW_CONFIDENCE = -1;

/** A confidence (mean token log-probability) as the geometric-mean token probability, in percent. */
export function confidencePercent(c: number | null): string {
  return c === null ? 'n/a' : `${Math.round(Math.exp(c) * 100)} %`;
}

export const STATUS_LABEL: Record<CaptionStatus, string> = {
  queued: 'Queued',
  suggested: 'Unreviewed',
  approved: 'Approved',
  edited: 'Edited',
  rejected: 'Rejected',
  failed: 'Failed',
};

export const STATUS_VARIANT: Record<CaptionStatus, 'success' | 'primary' | 'danger' | 'warning' | 'neutral' | 'secondary'> = {
  queued: 'neutral',
  suggested: 'warning',
  approved: 'success',
  edited: 'success',
  rejected: 'danger',
  failed: 'danger',
};
