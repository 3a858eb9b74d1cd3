/**
 * onnxruntime sessions as the product opens them: execution providers and threads from the
 * configuration (CPU unless told otherwise), with a warning and CPU fallback when a provider
 * named there cannot start on this host.
 */
import * as os from 'os';
import * as ort from 'onnxruntime-node';

export interface RuntimeConfig {
  /** In order of preference, e.g. ['cuda', 'cpu']. */
  executionProviders: string[];
  /** Intra-op threads; 0 lets onnxruntime choose. */
  threads: number;
  optimization: 'disabled' | 'basic' | 'extended' | 'all';
}

/** From ALTBRIDGE_PROVIDERS (comma-separated) and ALTBRIDGE_THREADS, with CPU defaults. */
export function runtimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const providers = (env.ALTBRIDGE_PROVIDERS ?? 'cpu').split(',').map((s) => s.trim()).filter(Boolean);
  const threads = env.ALTBRIDGE_THREADS ? Number(env.ALTBRIDGE_THREADS) : os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`ALTBRIDGE_THREADS must be a whole number, got "${env.ALTBRIDGE_THREADS}"`);
  return { executionProviders: providers.length ? providers : ['cpu'], threads, optimization: 'all' };
}

export async function openSession(model: Uint8Array | string, cfg: RuntimeConfig = runtimeConfig()): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: cfg.executionProviders,
    graphOptimizationLevel: cfg.optimization,
    intraOpNumThreads: cfg.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  const create = (o: ort.InferenceSession.SessionOptions) =>
    typeof model === 'string' ? ort.InferenceSession.create(model, o) : ort.InferenceSession.create(model, o);
  try {
    return await create(options);
  } catch (err) {
    if (cfg.executionProviders.every((p) => p === 'cpu')) throw err;
    console.warn(`altbridge: providers [${cfg.executionProviders}] failed (${(err as Error).message.split('\n')[0]}); falling back to CPU`);
    return create({ ...options, executionProviders: ['cpu'] });
  }
}
