/** The plugin's configuration (config/plugins.js `altbridge.config`), with defaults from the environment. */
export interface AltbridgeConfig {
  redisUrl: string;
  queueName: string;
  /** BullMQ key prefix in Redis; tests use one per run. */
  queuePrefix: string;
  /** 'inline': this Strapi process consumes the queue; 'external': `npx altbridge worker` does. */
  worker: 'inline' | 'external';
  concurrency: number;
  attempts: number;
  /** First retry delay; each further one doubles. */
  backoffMs: number;
  /**
   * How long a job's lock lives without renewal; the stalled check runs as often, so a job whose
   * worker died is retried within about twice this time.
   */
  lockDurationMs: number;
  /** Bundle used until an admin picks one in the settings. */
  defaultBundle: string;
}

type Env = ((key: string, fallback?: string) => string | undefined) & { int: (key: string, fallback?: number) => number | undefined };

export default {
  default: ({ env }: { env: Env }): AltbridgeConfig => ({
    redisUrl: env('REDIS_URL', 'redis://127.0.0.1:6379')!,
    queueName: 'altbridge-captions',
    queuePrefix: env('ALTBRIDGE_QUEUE_PREFIX', 'bull')!,
    worker: env('ALTBRIDGE_WORKER', 'external') === 'inline' ? 'inline' : 'external',
    concurrency: env.int('ALTBRIDGE_CONCURRENCY', 2)!,
    attempts: 3,
    backoffMs: 2000,
    lockDurationMs: env.int('ALTBRIDGE_LOCK_MS', 30_000)!,
    defaultBundle: env('ALTBRIDGE_BUNDLE', 'shapes-mini')!,
  }),
  validator(c: AltbridgeConfig): void {
    if (!/^rediss?:\/\//.test(c.redisUrl)) throw new Error(`redisUrl must be a redis:// or rediss:// URL, got "${c.redisUrl}"`);
    if (c.worker !== 'inline' && c.worker !== 'external') throw new Error(`worker must be "inline" or "external", got "${c.worker}"`);
    for (const k of ['concurrency', 'attempts', 'backoffMs', 'lockDurationMs'] as const) {
      if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`${k} must be a positive whole number, got ${c[k]}`);
    }
  },
};
