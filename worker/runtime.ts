/**
 * onnxruntime sessions as the product opens them: execution providers and threads from the
 * configuration (CPU unless told otherwise), with a warning and CPU fallback when a provider
 * named there cannot start on this host.
 */
import * as os from 'os';
import * as ort from 'onnxruntime-node';
import { wholeNumberIn } from './validate';

export interface RuntimeConfig {
  /** In order of preference, e.g. ['cuda', 'cpu']. */
  executionProviders: string[];
  /** Intra-op threads; 0 lets onnxruntime choose. */
  threads: number;
  optimization: 'disabled' | 'basic' | 'extended' | 'all';
}

/** From ALTBRIDGE_PROVIDERS (comma-separated) and ALTBRIDGE_THREADS, with CPU defaults. */
export function runtimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const providers = (env.ALTBRIDGE_PROVIDERS ?? 'cpu')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const threads = env.ALTBRIDGE_THREADS ? wholeNumberIn('ALTBRIDGE_THREADS', env.ALTBRIDGE_THREADS, 0) : os.availableParallelism();
  return { executionProviders: providers.length ? providers : ['cpu'], threads, optimization: 'all' };
}

/**
 * Opens a session; `label` names it in the log line that says which provider it got, written to
 * `log` (the CLI passes stderr; libraries stay quiet unless given one).
 */
export async function openSession(model: Uint8Array | string, cfg: RuntimeConfig = runtimeConfig(), label?: string, log?: (line: string) => void): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: cfg.executionProviders,
    graphOptimizationLevel: cfg.optimization,
    intraOpNumThreads: cfg.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  const create = (o: ort.InferenceSession.SessionOptions) => (typeof model === 'string' ? ort.InferenceSession.create(model, o) : ort.InferenceSession.create(model, o));
  const name = label ?? 'session';
  try {
    const session = await create(options);
    log?.(`altbridge: ${name} runs on ${cfg.executionProviders.join(' > ')}`);
    return session;
  } catch (err) {
    if (cfg.executionProviders.every((p) => p === 'cpu')) throw err;
    const why = (err as Error).message.split('\n')[0];
    console.warn(`altbridge: ${name}: providers [${cfg.executionProviders}] failed (${why}); falling back to CPU`);
    const session = await create({ ...options, executionProviders: ['cpu'] });
    log?.(`altbridge: ${name} runs on cpu (fallback)`);
    return session;
  }
}
