/** What the admin API under /altbridge answers (server/src/services/captions.ts, settings.ts). */

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

export interface Settings {
  m: number;
  steps: number;
  beam: number;
  maxTokens: number | null;
  autoCaption: boolean;
  bundle: string;
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

/** GET /backfill (server/src/services/backfill.ts). */
export interface BackfillStatus {
  id: string | null;
  state: 'idle' | 'running' | 'paused' | 'cancelled' | 'done';
  total: number;
  done: number;
  failed: number;
  queued: number;
  remaining: number;
  progress: number;
  startedAt: string | null;
  startedBy: string | null;
  finishedAt: string | null;
  /** Images with no alt text and no caption now: what a new run would take. */
  lacking: number;
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

/** POST /finetune/corpus. */
export interface CorpusInfo {
  id: string;
  name: string;
  bytes: number;
  format: string;
  uploadedAt: string;
  report: { lines: number; kept: number; dropped: Record<string, number>; train: number; heldOut: number };
  sample: string[];
  warnings: string[];
}

export interface Scores {
  bleu1: number;
  bleu2: number;
  bleu3: number;
  bleu4: number;
  rougeL: number;
  ciderD: number;
}

/** GET /finetune (server/src/services/finetune.ts). */
export interface RunStatus {
  id: string;
  state: 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled' | 'interrupted';
  base: string;
  target: string;
  corpus: { id: string; name: string };
  stage: string | null;
  stageDetail: string | null;
  stageIndex: number;
  stages: string[];
  step: number;
  total: number;
  etaSec: number | null;
  loss: number | null;
  losses: { denoiser: [number, number][]; decoder: [number, number][] };
  error: string | null;
  eval: { lines: number; new: Scores | null; active: Scores | null; samples: { line: string; new: string; active: string }[] } | null;
  activated: boolean;
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

/** GET /jobs/failed: the dead-letter list. */
export interface FailedJob {
  id: string;
  fileId: number;
  reason: string;
  attemptsMade: number;
  failedAt: string | null;
}

/** GET /doctor: `altbridge doctor`'s report. */
export interface DoctorReport {
  ok: boolean;
  generatedAt: string;
  checks: { name: string; status: 'ok' | 'warn' | 'fail'; detail: string; fix?: string }[];
}

/** Server error status of a failed call (409: another run is going, 413: too large). */
export function errorStatus(err: unknown): number | undefined {
  const e = err as { status?: number; response?: { data?: { error?: { status?: number } } } } | null;
  return e?.status ?? e?.response?.data?.error?.status;
}
