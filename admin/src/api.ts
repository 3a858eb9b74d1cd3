/** What the admin API under /altbridge answers (server/src/services/captions.ts, settings.ts). */
// The server's own answer types (type-only imports: nothing of the server reaches the browser bundle).
export type { Settings } from '../../server/src/services/settings';
export type { BackfillStatus } from '../../server/src/services/backfill';
export type { CorpusInfo, RunStatus } from '../../server/src/services/finetune';
export type { FailedJob } from '../../server/src/services/queue';
export type { CaptionScores as Scores } from '../../worker/metrics';
export type { Report as DoctorReport } from '../../worker/doctor/report';

export type CaptionStatus = 'queued' | 'suggested' | 'approved' | 'edited' | 'rejected' | 'failed';

export interface CaptionFile {
  id: number;
  name: string;
  url: string;
  mime: string;
  alternativeText: string | null;
  thumbnailUrl: string;
}

export interface Caption {
  id: number;
  documentId: string;
  fileId: number;
  fileName: string | null;
  text: string | null;
  status: CaptionStatus;
  source: 'machine' | 'human' | null;
  /** Mean token log-probability (0 is certain; more negative is less sure). */
  confidence: number | null;
  bundle: string | null;
  bundleVersion: string | null;
  m: number | null;
  steps: number | null;
  beam: number | null;
  error: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  altTextFromPlugin: boolean;
  file: CaptionFile | null;
}

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

export interface CaptionList {
  results: Caption[];
  pagination: Pagination;
}

/** Limits the server enforces (server/src/services/settings.ts); checked here too so errors show before a round trip. */
export const LIMITS = { m: [0, 1000], steps: [1, 1000], beam: [1, 8], maxTokens: [1, 77] } as const;

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

export type AuditReason = 'no-alt-text' | 'unreviewed' | 'failed' | 'low-confidence';

export interface AuditItem {
  fileId: number;
  fileName: string;
  url: string;
  thumbnailUrl: string;
  alternativeText: string | null;
  captionStatus: CaptionStatus | null;
  captionText: string | null;
  confidence: number | null;
  error: string | null;
  reasons: AuditReason[];
}

export interface Coverage {
  images: number;
  human: number;
  machineApproved: number;
  machineUnreviewed: number;
  none: number;
}

/** GET /audit (server/src/services/audit.ts). */
export interface AuditReport {
  coverage: Coverage;
  lowConfidence: number;
  attention: { total: number; byReason: Record<AuditReason, number>; results: AuditItem[]; pagination: Pagination };
}

/** GET /bundles/versions. */
export interface BundleVersion {
  ref: string;
  name: string;
  version: string;
  createdAt: string | null;
  captions: boolean;
  problem: string | null;
  notes: string | null;
  active: boolean;
}

/** Server error status of a failed call (409: another run is going, 413: too large). */
export function errorStatus(err: unknown): number | undefined {
  const e = err as { status?: number; response?: { data?: { error?: { status?: number } } } } | null;
  return e?.status ?? e?.response?.data?.error?.status;
}
