/**
 * Commands and long-running processes for the install test: each runs in bash in its own process
 * group (so stopping one stops npm's and npx's children too), its output kept for the failure message.
 */
import { ChildProcess, spawn } from 'child_process';

/** The environment every command gets: no telemetry, no colours in logs. */
const QUIET = { STRAPI_TELEMETRY_DISABLED: 'true', FORCE_COLOR: '0', NO_COLOR: '1', npm_config_update_notifier: 'false' };

/** Runs `command` in `cwd` to its end; rejects with the output's tail when it fails. */
export function sh(command: string, cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env: { ...process.env, ...QUIET, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`\`${command}\` in ${cwd} exited ${code}:\n${out.slice(-6000)}`))));
  });
}

export interface Running {
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM to its process group; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Starts `command` in `cwd` and leaves it running. */
export function start(command: string, cwd: string, env: Record<string, string> = {}): Running {
  const child: ChildProcess = spawn('bash', ['-c', `exec ${command}`], { cwd, env: { ...process.env, ...QUIET, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
        await exited;
      }
    },
  };
}
