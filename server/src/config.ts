/** The plugin's configuration (config/plugins.js `altbridge.config`), with defaults from the environment. */
import { DEFAULT_DATA_DIR, defaultBundleRef } from '../../worker/bundle/load';
import { wholeNumberIn } from '../../worker/validate';
import { DEFAULT_LOW_CONFIDENCE, WORKER_MODES, WorkerMode } from './contracts';

export interface AltbridgeConfig {
  redisUrl: string;
  /** The caption queue; '' (the default) = derived from the app's identity at register (app-identity.ts). */
  queueName: string;
  /** BullMQ key prefix in Redis; '' (the default) = derived from the app's identity; tests use one per run. */
  queuePrefix: string;
  /** 'inline': this Strapi process consumes the queue; 'external': `npx altbridge worker` does. */
  worker: WorkerMode;
  concurrency: number;
  attempts: number;
  /** First retry delay; each further one doubles. */
  backoffMs: number;
  /**
   * How long a job's lock lives without renewal; the stalled check runs as often, so a job whose
   * worker died is retried within about twice this time.
   */
  lockDurationMs: number;
  /**
   * Most time one caption job's engine run may take (counted from when the engine starts it, not
   * while it waits behind another job); past it the job fails with the reason and the queue moves on.
   */
  jobTimeoutMs: number;
  /** How long the settings preview waits for the worker to caption its image before answering 503. */
  previewTimeoutMs: number;
  /** Bundle used until an admin picks one in the settings. */
  defaultBundle: string;
  /**
   * How often the reconciler puts back caption rows still 'queued' in PostgreSQL that have no job
   * in Redis (lost when Redis restarted without persistence); it also runs when the worker starts
   * and each time its Redis connection becomes ready again.
   */
  reconcileMs: number;
  /** A queued row younger than this is left alone (its job may be on its way to Redis). */
  reconcileGraceMs: number;
  /** Backfill: most of its jobs in the queue at one time; the next chunk goes in as they finish. */
  backfillChunk: number;
  /** Backfill: how often the feeder looks at its progress. */
  backfillTickMs: number;
  /** The plugin's files in the app (uploaded corpora, fine-tuning runs, and by default its models), relative to the app. */
  dataDir: string;
  /**
   * Where the app's bundles live, relative to the app; null: `models` in dataDir. Seeded at start
   * with the bundles the package ships; fine-tuned versions are written here, so they survive
   * reinstalling the package.
   */
  modelsDir: string | null;
  /** Largest caption corpus an admin may upload, in bytes. */
  corpusMaxBytes: number;
  /** A machine caption below this confidence (mean token log-probability) needs attention (contracts.ts). */
  lowConfidence: number;
  /**
   * Host names a remote upload provider's URLs may name although they resolve to a loopback,
   * private, link-local or unique-local address (e.g. a MinIO on the internal network); every other
   * such download, or redirect to one, is refused.
   */
  remoteHosts: string[];
}

/** The settings preview's queue: beside the caption queue, consumed by the same worker. */
export const previewQueueName = (c: AltbridgeConfig): string => `${c.queueName}-preview`;

type Env = ((key: string, fallback?: string) => string | undefined) & { int: (key: string, fallback?: number) => number | undefined };

export default {
  default: ({ env }: { env: Env }): AltbridgeConfig => ({
    redisUrl: env('REDIS_URL', 'redis://127.0.0.1:6379')!,
    queueName: '',
    queuePrefix: env('ALTBRIDGE_QUEUE_PREFIX', '')!,
    // In development uploads are captioned without a second process; in production the worker runs beside Strapi.
    worker: env('ALTBRIDGE_WORKER', env('NODE_ENV') === 'production' ? 'external' : 'inline') as WorkerMode,
    concurrency: env.int('ALTBRIDGE_CONCURRENCY', 2)!,
    attempts: 3,
    backoffMs: 2000,
    lockDurationMs: env.int('ALTBRIDGE_LOCK_MS', 30_000)!,
    jobTimeoutMs: env.int('ALTBRIDGE_JOB_TIMEOUT_MS', 120_000)!,
    previewTimeoutMs: env.int('ALTBRIDGE_PREVIEW_TIMEOUT_MS', 60_000)!,
    defaultBundle: defaultBundleRef(),
    reconcileMs: env.int('ALTBRIDGE_RECONCILE_MS', 30_000)!,
    reconcileGraceMs: env.int('ALTBRIDGE_RECONCILE_GRACE_MS', 5_000)!,
    backfillChunk: env.int('ALTBRIDGE_BACKFILL_CHUNK', 20)!,
    backfillTickMs: env.int('ALTBRIDGE_BACKFILL_TICK_MS', 1_000)!,
    dataDir: env('ALTBRIDGE_DATA', DEFAULT_DATA_DIR)!,
    modelsDir: env('ALTBRIDGE_MODELS') ?? null,
    corpusMaxBytes: env.int('ALTBRIDGE_CORPUS_MAX_BYTES', 50 * 1024 * 1024)!,
    lowConfidence: Number(env('ALTBRIDGE_LOW_CONFIDENCE', String(DEFAULT_LOW_CONFIDENCE))),
    remoteHosts: env('ALTBRIDGE_REMOTE_HOSTS', '')!
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  }),
  validator(c: AltbridgeConfig): void {
    if (!/^rediss?:\/\//.test(c.redisUrl)) throw new Error(`redisUrl must be a redis:// or rediss:// URL, got "${c.redisUrl}"`);
    if (!WORKER_MODES.includes(c.worker)) throw new Error(`worker must be "inline" or "external", got "${c.worker}"`);
    if (c.modelsDir !== null && (typeof c.modelsDir !== 'string' || c.modelsDir === '')) throw new Error(`modelsDir must be a folder, got ${JSON.stringify(c.modelsDir)}`);
    if (!Number.isFinite(c.lowConfidence)) throw new Error(`lowConfidence must be a number, got ${c.lowConfidence}`);
    if (!Array.isArray(c.remoteHosts) || !c.remoteHosts.every((h) => typeof h === 'string' && h !== ''))
      throw new Error(`remoteHosts must be a list of host names, got ${JSON.stringify(c.remoteHosts)}`);
    for (const k of ['concurrency', 'attempts', 'backoffMs', 'lockDurationMs', 'jobTimeoutMs', 'previewTimeoutMs', 'reconcileMs', 'backfillChunk', 'backfillTickMs', 'corpusMaxBytes'] as const) {
      wholeNumberIn(k, c[k], 1);
    }
  },
};
