import type { CaptionStatus } from './api';

/** A confidence (mean token log-probability) as the geometric-mean token probability, in percent. */
export function confidencePercent(c: number | null): string {
  return c === null ? 'n/a' : `${Math.round(Math.exp(c) * 100)} %`;
}

/** As the server decides it: below the threshold GET /limits (or the audit) answers. */
export const isLowConfidence = (c: number | null, threshold: number): boolean => c !== null && c < threshold;

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
