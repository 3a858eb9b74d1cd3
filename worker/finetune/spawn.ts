/**
 * Starts a fine-tuning run's child process (child.ts) beside a server. The child gets only the
 * environment training needs, not the server's (database password, JWT secret, app keys), a cap on
 * its threads so captioning keeps its share of the cores, and a lower priority.
 */
import { ChildProcess, fork } from 'child_process';
import * as os from 'os';
import { FROM_SOURCES } from '../package-root';

/** Passed on besides ALTBRIDGE_*: finding programs, home and temp folders, locale, Node's own options, the CUDA libraries. */
const PASSED = new Set(['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS', 'NODE_ENV', 'LD_LIBRARY_PATH', 'CUDA_VISIBLE_DEVICES']);

/** Niceness added to the server's own. */
const NICER = 10;
/** The lowest priority there is (the highest niceness). */
const NICEST = 19;

/** The child's environment: the allowed variables of `env`, and ALTBRIDGE_THREADS half the cores (at least 1) unless configured. */
export function childEnv(env: NodeJS.ProcessEnv, cores = os.availableParallelism()): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (PASSED.has(k) || k.startsWith('ALTBRIDGE_'))) out[k] = v;
  if (!out.ALTBRIDGE_THREADS) out.ALTBRIDGE_THREADS = String(Math.max(1, Math.floor(cores / 2)));
  return out;
}

/** Forks child on `specFile` (through tsx when run from the sources), with childEnv and a priority 10 below the server's. */
export function forkFinetune(specFile: string): ChildProcess {
  const child = fork(require.resolve('./child'), [specFile], {
    execArgv: FROM_SOURCES ? ['--require', require.resolve('tsx/cjs')] : [],
    env: childEnv(process.env),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, Math.min(NICEST, os.getPriority() + NICER));
    } catch (err) {
      // Not allowed here (some containers), or the child already died: it runs at the server's priority, or not at all.
      const code = (err as { info?: { code?: string } }).info?.code;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'ESRCH') throw err;
    }
  }
  return child;
}
