/**
 * The admin API's contract, defined once: settings with their defaults and limits, caption
 * statuses and sources, the rows the routes answer, the fine-tuning limits and the low-confidence
 * threshold. The server uses the values; the admin panel imports the types only (`import type`, so
 * no server code reaches the browser bundle) and reads the values it needs from GET /limits, which
 * is how the panel and the server stay in agreement (including on what the host configured).
 */
import { MAX_BRIDGE_STEPS, MAX_M } from '../../worker/diffusion';
import type { CorpusReport } from '../../worker/corpus/read';
import type { FinetuneEval } from '../../worker/finetune/job';

export type { CaptionScores } from '../../worker/metrics';
export type { Report as DoctorReport } from '../../worker/doctor/report';

/** An inclusive range of whole numbers, [min, max]. */
export type Range = readonly [min: number, max: number];

// ---- permissions -------------------------------------------------------------------------------

/** The plugin's RBAC actions; every admin route names the one it needs. */
export const ACTIONS = {
  read: 'plugin::altbridge.read',
  edit: 'plugin::altbridge.edit',
  settings: 'plugin::altbridge.settings',
  finetune: 'plugin::altbridge.finetune',
} as const;
export type ActionName = keyof typeof ACTIONS;
export type ActionUid = (typeof ACTIONS)[ActionName];

// ---- settings ----------------------------------------------------------------------------------

/** The captioning settings admins change at run time (GET/PUT /settings). */
export interface Settings {
  /** Bridging depth M (0 = no bridging); null = the active bundle's own default M, chosen when it was built. */
  m: number | null;
  /** DDIM steps S (at most M). */
  steps: number;
  beam: number;
  /** Most tokens per caption; null = the decoder's own limit. */
  maxTokens: number | null;
  autoCaption: boolean;
  /** The active bundle as name@version. */
  bundle: string;
  /** Publishing policy: write a machine caption to alternativeText when the policy allows (else it waits for review). */
  autoWrite: boolean;
  /**
   * Least calibrated quality a caption needs to be written; null = the bundle's calibrated default.
   * 0 turns the quality bar off, so a bundle without calibration may write too (an admin's explicit choice).
   */
  minQuality: number | null;
  /** A demonstration bundle writes alt text only when an admin turns this on. */
  allowDemonstration: boolean;
}

export type SettingsLimits = Record<'m' | 'steps' | 'beam' | 'maxTokens', Range>;

/** M and S come from the engine's bridging schedule, so every layer refuses the same values. */
export const SETTINGS_LIMITS: SettingsLimits = { m: [0, MAX_M], steps: [1, MAX_BRIDGE_STEPS], beam: [1, 8], maxTokens: [1, 77] };

/** Settings before an admin saves any (the bundle comes from the plugin config). */
export const DEFAULT_SETTINGS: Omit<Settings, 'bundle'> = { m: null, steps: 5, beam: 3, maxTokens: null, autoCaption: true, autoWrite: true, minQuality: null, allowDemonstration: false };

/** minQuality's range: a probability. */
export const QUALITY_RANGE: readonly [min: number, max: number] = [0, 1];

/** The quality threshold T of a bundle whose manifest names none. */
export const DEFAULT_QUALITY_THRESHOLD = 0.9;

/**
 * A machine caption whose confidence (mean token log-probability) is below this needs a person's
 * look: the audit's low-confidence reason and the Captions page's filter. ALTBRIDGE_LOW_CONFIDENCE
 * overrides it; GET /limits answers the value in force.
 */
export const DEFAULT_LOW_CONFIDENCE = -1.5;

// ---- captions ----------------------------------------------------------------------------------

/** 'needs-review': the publishing policy withheld the caption from alternativeText (reviewReason says why). */
export const CAPTION_STATUSES = ['queued', 'suggested', 'needs-review', 'approved', 'edited', 'rejected', 'failed'] as const;
export type CaptionStatus = (typeof CAPTION_STATUSES)[number];

/** Why the policy withheld a caption, most serious first (the first that applies is recorded). */
export const REVIEW_REASONS = ['out-of-domain', 'demonstration', 'uncalibrated', 'low-quality'] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const DOMAIN_VERDICTS = ['in', 'out', 'unknown'] as const;
export type DomainVerdictName = (typeof DOMAIN_VERDICTS)[number];

export const CAPTION_SOURCES = ['machine', 'human'] as const;
export type CaptionSource = (typeof CAPTION_SOURCES)[number];

/** Most characters of an editor's caption text. */
export const CAPTION_MAX_TEXT = 2000;

/** Most captions one bulk approve takes (they are approved in one transaction). */
export const BULK_APPROVE_MAX = 500;

/** A caption text replaced by a later one. */
export interface HistoryEntry {
  text: string;
  status: CaptionStatus;
  source: CaptionSource;
  /** Who replaced it (an admin's name) or "altbridge" when a new machine caption did. */
  by: string;
  at: string;
  m?: number | null;
  bundle?: string | null;
}

/** The Media Library file a caption describes, as the admin API shows it. */
export interface CaptionFile {
  id: number;
  name: string;
  url: string;
  mime: string;
  alternativeText: string | null;
  thumbnailUrl: string;
}

/** A caption as GET /captions and the review routes answer it. */
export interface Caption {
  id: number;
  documentId: string;
  fileId: number;
  fileName: string | null;
  text: string | null;
  status: CaptionStatus;
  source: CaptionSource | null;
  /** Mean token log-probability (0 is certain; more negative is less sure). */
  confidence: number | null;
  /** Calibrated probability that the caption makes no false claim; null when the bundle has no calibration. */
  quality: number | null;
  /** Whether the image looks like the bundle's images; null before a caption. */
  domainVerdict: DomainVerdictName | null;
  /** Why the caption needs review (status 'needs-review'), else null. */
  reviewReason: ReviewReason | null;
  bundle: string | null;
  bundleVersion: string | null;
  m: number | null;
  steps: number | null;
  beam: number | null;
  /** Milliseconds per engine stage. */
  timings: Record<string, number> | null;
  error: string | null;
  reviewedBy: string | null;
  reviewedById: number | null;
  reviewedAt: string | null;
  history: HistoryEntry[] | null;
  /** The backfill run that queued it, if any. */
  batch: string | null;
  updatedAt?: string;
  /** The file's alternativeText is this plugin's own machine text (so a new caption may replace it). */
  altTextFromPlugin: boolean;
  /** Below the quality threshold in force (calibrated quality), or without calibration below the low-confidence threshold. */
  lowQuality: boolean;
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

/** Why bulk approve left a caption out. */
export type BulkSkipReason = 'human-alt-text' | 'decorative' | 'out-of-domain';

/** POST /captions/bulk-approve. */
export interface BulkApproval {
  approved: Caption[];
  skipped: { id: string; fileId: number; reason: BulkSkipReason }[];
}

/** POST /captions/:id/regenerate: M and S override the settings for this one caption. */
export interface RegenerateInput {
  m?: number;
  steps?: number;
}

// ---- queue -------------------------------------------------------------------------------------

/** The data of one caption job on the queue. */
export interface CaptionJob {
  /** The app that queued it (app-identity.ts): a worker refuses another app's job. */
  app: string;
  fileId: number;
  /** Overrides of the settings, from a regenerate request. */
  m?: number;
  steps?: number;
  /** The backfill run that queued it. */
  batch?: string;
}

/** GET /jobs/failed: a job that failed for good (the dead-letter list). */
export interface FailedJob {
  id: string;
  fileId: number;
  reason: string;
  attemptsMade: number;
  failedAt: string | null;
  data: CaptionJob;
}

// ---- workers ----------------------------------------------------------------------------------

/** 'inline': Strapi's own process consumes the queue; 'external': `npx altbridge worker` does. */
export const WORKER_MODES = ['inline', 'external'] as const;
export type WorkerMode = (typeof WORKER_MODES)[number];

/** How a job ended in a worker: the caption row's new status, or why nothing was stored. */
export type JobOutcome = 'suggested' | 'needs-review' | 'skipped' | 'failed' | 'refused';

export interface WorkerJob {
  fileId: number;
  /** null when the worker never read the file (a refused job, a failure before the read). */
  fileName: string | null;
  status: JobOutcome;
  ms: number;
  at: string;
}

/** One live consuming process, from its heartbeat in Redis. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  mode: WorkerMode;
  /** name@version its engine last captioned with; null before its first caption. */
  bundle: string | null;
  concurrency: number;
  startedAt: string;
  /** Its last heartbeat. */
  seenAt: string;
  lastJob: WorkerJob | null;
}

/** What to do when jobs wait and no worker is live (the banner and Host check show it as it is). */
export const NO_WORKER_FIX =
  "start the caption worker in the app's folder, beside Strapi: `npx altbridge worker --app .`; or let Strapi caption in its own process: set `ALTBRIDGE_WORKER=inline` (or `worker: 'inline'` in config/plugins)";

/** GET /workers. */
export interface WorkersStatus {
  workers: WorkerInfo[];
  /** Caption jobs waiting to be taken (waiting, delayed or prioritised). */
  waiting: number;
  /** This Strapi's `worker` setting. */
  configured: WorkerMode;
  /** Jobs wait and no worker is live: captions will not come until one starts. */
  stalled: boolean;
  /** NO_WORKER_FIX. */
  fix: string;
}

// ---- backfill ----------------------------------------------------------------------------------

export type BackfillState = 'idle' | 'running' | 'paused' | 'cancelled' | 'done';

/** GET /backfill. */
export interface BackfillStatus {
  id: string | null;
  state: BackfillState;
  /** Images lacking alt text and caption when the run started. */
  total: number;
  /** Captions stored (suggested, needing review or since reviewed). */
  done: number;
  /** Of those, captions the publishing policy withheld (status 'needs-review'). */
  needsReview: number;
  failed: number;
  /** Queued or being captioned now. */
  queued: number;
  /** Not yet queued: total - done - failed - queued (never below 0). */
  remaining: number;
  /** (done + failed) / total, 0..1 (1 when total is 0). */
  progress: number;
  startedAt: string | null;
  startedBy: string | null;
  updatedAt: string | null;
  finishedAt: string | null;
  /** Images lacking alt text and a caption right now (what a new run would caption). */
  lacking: number;
}

// ---- audit -------------------------------------------------------------------------------------

/** Who wrote the image's alt text; 'decorative': none, on purpose (an editor marked it so). */
export type AltKind = 'human' | 'machineApproved' | 'machineUnreviewed' | 'decorative' | 'none';
export const ALT_KINDS: readonly AltKind[] = ['human', 'machineApproved', 'machineUnreviewed', 'decorative', 'none'];

/** The alt-text quality rules, checked on every image's alternativeText whoever wrote it (server/src/alt-rules.ts has them in SQL). */
export const ALT_RULE_IDS = ['missing', 'empty', 'file-name', 'placeholder', 'redundant-lead-in', 'too-long', 'duplicate', 'symbols-only', 'all-caps'] as const;
export type AltRuleId = (typeof ALT_RULE_IDS)[number];

export interface AltRule {
  id: AltRuleId;
  title: string;
  /** One line an editor understands: what is wrong and what to write instead. */
  explanation: string;
  /** The WCAG success criterion and, where one names this failure, the technique. */
  wcag: string;
  url: string;
}

const SC_111 = 'https://www.w3.org/WAI/WCAG22/Understanding/non-text-content';
const technique = (kind: 'failures' | 'general' | 'html', id: string) => `https://www.w3.org/WAI/WCAG22/Techniques/${kind}/${id}`;

export const ALT_RULES: Record<AltRuleId, AltRule> = {
  missing: {
    id: 'missing',
    title: 'Missing',
    explanation: 'The image has no alt text: a screen reader says only "image" or reads the file name.',
    wcag: '1.1.1 Non-text Content (A), F65',
    url: technique('failures', 'F65'),
  },
  empty: {
    id: 'empty',
    title: 'Empty, not decorative',
    explanation: 'The alt text is empty but nobody marked the image decorative: describe it, or mark it decorative if it adds nothing.',
    wcag: '1.1.1 Non-text Content (A), F65',
    url: technique('failures', 'F65'),
  },
  'file-name': {
    id: 'file-name',
    title: 'File name',
    explanation: "The alt text looks like a file name (camera name, hash, extension, or the file's own name): say what the image shows.",
    wcag: '1.1.1 Non-text Content (A), F30',
    url: technique('failures', 'F30'),
  },
  placeholder: {
    id: 'placeholder',
    title: 'Placeholder',
    explanation: 'The alt text is only a generic word such as "image", "photo" or "TODO": say what the image shows.',
    wcag: '1.1.1 Non-text Content (A), F30',
    url: technique('failures', 'F30'),
  },
  'redundant-lead-in': {
    id: 'redundant-lead-in',
    title: 'Redundant lead-in',
    explanation: 'The alt text starts with "image of" or "photo of": screen readers already say it is an image, so start with what it shows.',
    wcag: '1.1.1 Non-text Content (A), H37',
    url: technique('html', 'H37'),
  },
  'too-long': {
    id: 'too-long',
    title: 'Too long',
    explanation: 'The alt text is longer than a short description should be: keep the essentials and put the rest in the page text.',
    wcag: '1.1.1 Non-text Content (A), G94',
    url: technique('general', 'G94'),
  },
  duplicate: {
    id: 'duplicate',
    title: 'Same text on many images',
    explanation: 'Several different images have exactly this alt text: each should say what its own image shows.',
    wcag: '1.1.1 Non-text Content (A), G94',
    url: technique('general', 'G94'),
  },
  'symbols-only': {
    id: 'symbols-only',
    title: 'Only symbols',
    explanation: 'The alt text is only punctuation, symbols or emoji, which screen readers skip or read as noise: use words.',
    wcag: '1.1.1 Non-text Content (A), F30',
    url: technique('failures', 'F30'),
  },
  'all-caps': {
    id: 'all-caps',
    title: 'All capitals',
    explanation: 'The alt text is written in capitals, which some screen readers spell out letter by letter: use sentence case.',
    wcag: '1.1.1 Non-text Content (A), advisory',
    url: SC_111,
  },
};

/** The rules' thresholds: query parameters of GET /audit and the export, these defaults when absent. */
export const AUDIT_RULE_LIMITS = {
  /** More characters than this is too long (the common advice is 125 to 150). */
  maxLength: { default: 150, range: [20, 2000] as Range },
  /** This many different images with the same alt text are duplicates. */
  duplicateMin: { default: 3, range: [2, 10_000] as Range },
};

/** What an editor's workflow still owes an image (the rules say what is wrong with its text). */
export const AUDIT_REASONS = ['no-alt-text', 'unreviewed', 'needs-review', 'failed', 'low-confidence'] as const;
export type AuditReason = (typeof AUDIT_REASONS)[number];

/** An editor's mark: the image is decorative, its alt text intentionally empty. */
export interface DecorativeMark {
  reason: string;
  markedBy: string | null;
  markedAt: string;
}

/** Most characters of a decorative mark's reason. */
export const DECORATIVE_MAX_REASON = 500;

/** An entry (draft or published) that shows the image, found through Strapi's own file relations. */
export interface UsageEntry {
  /** The content type's uid, e.g. api::article.article. */
  contentType: string;
  contentTypeName: string;
  kind: 'collectionType' | 'singleType';
  documentId: string;
  /** The field holding the image, through components: "cover", "blocks.image". */
  field: string;
  published: boolean;
}

export interface AuditItem {
  fileId: number;
  fileName: string;
  url: string;
  thumbnailUrl: string;
  kind: AltKind;
  alternativeText: string | null;
  /** The caption row's documentId, null when the file has none. */
  captionId: string | null;
  captionStatus: CaptionStatus | null;
  captionText: string | null;
  confidence: number | null;
  quality: number | null;
  reviewReason: ReviewReason | null;
  domainVerdict: DomainVerdictName | null;
  /** name@version of the bundle that wrote the caption. */
  bundle: string | null;
  error: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reasons: AuditReason[];
  /** The rules the alt text breaks (none: compliant). */
  rules: AltRuleId[];
  compliant: boolean;
  decorative: DecorativeMark | null;
  /** Entries (documents) that use the image, and how many of them are published. */
  entries: number;
  publishedEntries: number;
  /** The entries themselves, published first, at most 20 (in GET /audit's page of results; the exports name only the counts). */
  usedIn?: UsageEntry[];
}

export type Coverage = Record<AltKind, number> & { images: number };

/** The audit's totals, as the daily snapshot keeps them. */
export interface AuditTotals {
  images: number;
  /** Decorative, or alt text that breaks no rule. */
  compliant: number;
  decorative: number;
  byRule: Record<AltRuleId, number>;
  byReason: Record<AuditReason, number>;
}

/** One day of the progress chart. */
export interface AuditSnapshot {
  /** YYYY-MM-DD. */
  day: string;
  totals: AuditTotals;
}

/** Images used in entries of one content type, and how many of them are compliant. */
export interface ContentTypeTotals {
  contentType: string;
  contentTypeName: string;
  images: number;
  compliant: number;
}

/** GET /audit. */
export interface AuditReport {
  coverage: Coverage;
  totals: AuditTotals;
  rules: AltRule[];
  /** The rules' thresholds this report used. */
  limits: { maxLength: number; duplicateMin: number };
  /** The thresholds this report used: confidence for uncalibrated captions, quality for calibrated ones. */
  lowConfidence: number;
  minQuality: number;
  byContentType: ContentTypeTotals[];
  /** The daily snapshots, oldest first (today's is this report's). */
  history: AuditSnapshot[];
  /** Images with a workflow reason or a broken rule, those used in published entries first. */
  attention: { total: number; byReason: Record<AuditReason, number>; results: AuditItem[]; pagination: Pagination };
}

// ---- settings preview --------------------------------------------------------------------------

export const PREVIEW_LIMITS = {
  /** Most depths one preview captions at (each is a full caption run). */
  maxDepths: 8,
  /** Depths captioned when the request names none. */
  depths: [0, 200, 400, 600, 800] as readonly number[],
};

export interface PreviewRow {
  m: number;
  steps: number;
  caption: string;
  confidence: number;
  ms: number;
}

/** POST /settings/preview. */
export interface Preview {
  file: { id: number; name: string; url: string };
  rows: PreviewRow[];
}

/** The data of a preview job: the web process checks the request, the worker captions (answering PreviewRow[]). */
export interface PreviewJob {
  /** The app that queued it, as on CaptionJob. */
  app: string;
  fileId: number;
  /** The depths to caption at. */
  m: number[];
}

// ---- bundles -----------------------------------------------------------------------------------

/** GET /bundles/versions: one installed bundle version. */
export interface BundleVersion {
  ref: string;
  name: string;
  version: string;
  createdAt: string | null;
  /** false for a CLIP-only bundle. */
  captions: boolean;
  problem: string | null;
  /** Provenance, e.g. "fine-tuned from shapes-mini@1.0.0". */
  notes: string | null;
  active: boolean;
}

/** The active bundle's domain and quality threshold, as GET /limits answers them. */
export interface BundleDomain {
  ref: string;
  /** The domain in words from the manifest; null for a bundle made before domains were recorded. */
  description: string | null;
  demonstration: boolean;
  /** The bundle's calibrated default quality threshold T. */
  threshold: number;
  /** The bundle's own bridging depth (manifest diffusion.defaultM): the M of settings with m null, and of its calibration. */
  defaultM: number;
}

/** POST /bundles/activate and /finetune/activate. */
export interface Activation {
  bundle: string;
  previous: string;
}

// ---- corpora and fine-tuning -------------------------------------------------------------------

/** POST/GET /finetune/corpus: an uploaded caption corpus, checked. */
export interface CorpusInfo {
  id: string;
  name: string;
  bytes: number;
  format: string;
  uploadedAt: string;
  uploadedBy: string | null;
  report: CorpusReport;
  /** A few of the kept lines, as the trainer will see them. */
  sample: string[];
  warnings: string[];
}

export const FINETUNE_LIMITS = {
  /** Training steps of each stage (denoiser, decoder). */
  steps: [1, 100_000] as Range,
  /** Augmentation draws per caption. */
  draws: [1, 16] as Range,
  /** Steps of each stage when the request names none. */
  defaultSteps: 2000,
  defaultDraws: 4,
};
export type FinetuneLimits = typeof FINETUNE_LIMITS;

/** POST /finetune. */
export interface FinetuneInput {
  corpusId: string;
  /** Both stages, unless denoiserSteps / decoderSteps say otherwise. */
  steps?: number;
  denoiserSteps?: number;
  decoderSteps?: number;
  draws?: number;
  seed?: number;
}

export type RunState = 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** GET /finetune: the last fine-tuning run. */
export interface RunStatus {
  id: string;
  state: RunState;
  base: string;
  /** The version being written, name@version. */
  target: string;
  corpus: { id: string; name: string };
  options: { denoiserSteps: number; decoderSteps: number; draws: number; seed: number };
  /** One of `stages`, null before the first. */
  stage: string | null;
  stageDetail: string | null;
  /** Index of the stage in `stages` (0-based). */
  stageIndex: number;
  /** The engine's stage names, in order (for a stepper). */
  stages: string[];
  step: number;
  total: number;
  /** Seconds left in the current stage's steps; null outside the training stages. */
  etaSec: number | null;
  loss: number | null;
  /** [step, loss] per training stage, for the live curve. */
  losses: { denoiser: [number, number][]; decoder: [number, number][] };
  startedAt: string;
  startedBy: string | null;
  finishedAt: string | null;
  error: string | null;
  eval: FinetuneEval | null;
  activated: boolean;
  /** The bundle active before this run's version was activated (for rollback). */
  previousBundle: string | null;
  /** Where the training process runs (for operators; liveness is the heartbeat). */
  pid: number;
  host: string;
  /**
   * Last refresh by the server running it (every few seconds while it runs). A 'running' or
   * 'cancelling' run whose heartbeat is older than the lease is answered as 'interrupted'.
   */
  heartbeatAt: string;
}

// ---- the values the panel needs ----------------------------------------------------------------

/** GET /limits (read): what the server accepts and the thresholds configured on this host. */
export interface Limits {
  settings: SettingsLimits;
  /** The settings before an admin changes them (M for a caption that records none). */
  defaults: Omit<Settings, 'bundle'>;
  finetune: FinetuneLimits;
  preview: typeof PREVIEW_LIMITS;
  captionMaxText: number;
  /** Largest corpus upload in bytes (ALTBRIDGE_CORPUS_MAX_BYTES). */
  corpusMaxBytes: number;
  /** The low-confidence threshold in force (ALTBRIDGE_LOW_CONFIDENCE), for captions without a calibrated quality. */
  lowConfidence: number;
  /** minQuality's range. */
  quality: readonly [min: number, max: number];
  /** The quality threshold in force: the settings' minQuality, else the active bundle's T. Below it a calibrated caption is low quality. */
  minQuality: number;
  /** The active bundle, for the notice on the Captions and Settings pages. */
  bundle: BundleDomain;
}
