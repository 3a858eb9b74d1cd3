/**
 * The admin API as the panel uses it: its answer types come from the server's contract module
 * (type-only, so no server code reaches the browser bundle); the values the panel needs (limits,
 * the low-confidence threshold) come from GET /limits. Here only browser helpers.
 */
export type {
  AltRule,
  AltRuleId,
  AuditItem,
  AuditReason,
  AuditReport,
  AuditSnapshot,
  BackfillStatus,
  BulkApproval,
  BulkSkipReason,
  BundleDomain,
  BundleVersion,
  Caption,
  CaptionFile,
  CaptionList,
  CaptionScores as Scores,
  CaptionStatus,
  CorpusInfo,
  ContentTypeTotals,
  Coverage,
  DecorativeMark,
  DoctorReport,
  FailedJob,
  Limits,
  Pagination,
  Preview,
  PreviewRow,
  ReviewReason,
  RunStatus,
  Settings,
  WorkerInfo,
  WorkersStatus,
  UsageEntry,
} from '../../server/src/contracts';

/** The message of a failed admin API call: the server's own reason when it gave one. */
export function errorMessage(err: unknown): string {
  const e = err as { response?: { data?: { error?: { message?: string } } }; message?: string } | null;
  return e?.response?.data?.error?.message ?? e?.message ?? String(err);
}

/** A file URL the browser can load: relative upload URLs are served by the Strapi backend. */
export function fileUrl(url: string): string {
  if (!url.startsWith('/')) return url;
  const backend = (window as unknown as { strapi?: { backendURL?: string } }).strapi?.backendURL ?? '';
  return `${backend.replace(/\/$/, '')}${url}`;
}

/** Server error status of a failed call (409: another run is going, 413: too large). */
export function errorStatus(err: unknown): number | undefined {
  const e = err as { status?: number; response?: { data?: { error?: { status?: number } } } } | null;
  return e?.status ?? e?.response?.data?.error?.status;
}
