/**
 * `altbridge doctor` as data: every check in a fixed order, so the CLI and (later) the admin panel
 * show the same report, and a text rendering of it for the terminal.
 */
import { defaultBundleRef, modelsDir } from '../bundle/load';
import { runtimeConfig } from '../runtime';
import { Check, bundleChecks, cudaLibrariesCheck, diskCheck, nodeCheck, onnxruntimeCheck, providerCheck, serviceCheck } from './checks';
import { pingPostgres, pingRedis } from './services';
import { cacheDir } from '../cache-dir';

export type { Check, Status } from './checks';

export interface Report {
  /** false when any check failed: something the configuration needs is missing. */
  ok: boolean;
  generatedAt: string;
  checks: Check[];
}

export interface DoctorOptions {
  /** Default: REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Default: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres. */
  databaseUrl?: string;
  /** false skips Redis and PostgreSQL (hosts that only run the CLI); they are reported as skipped. */
  services?: boolean;
  /** Per service probe; default 3000. */
  timeoutMs?: number;
  /** Free space below which the disk check warns; default 2 GB. */
  minFreeBytes?: number;
}

/**
 * Runs every check against the configuration in the environment. The checks run one after
 * another: bundle hashing blocks the event loop, which would make a concurrent probe time out.
 */
export async function runDoctor(opts: DoctorOptions = {}): Promise<Report> {
  const checks: Check[] = [nodeCheck(), onnxruntimeCheck()];
  let providers = ['cpu'];
  try {
    const cfg = runtimeConfig();
    providers = cfg.executionProviders;
    checks.push({ name: 'configuration', status: 'ok', detail: `providers ${providers.join(' > ')}, ${cfg.threads || 'automatic'} threads` });
  } catch (err) {
    checks.push({ name: 'configuration', status: 'fail', detail: (err as Error).message, fix: 'correct the environment variable named' });
  }
  // CPU always: sessions fall back to it when a preferred provider cannot start.
  for (const p of new Set([...providers, 'cpu'])) checks.push(await providerCheck(p));
  checks.push(cudaLibrariesCheck(providers.includes('cuda')));
  const models = modelsDir();
  checks.push(...bundleChecks(models, defaultBundleRef()));
  const cache = cacheDir();
  checks.push(diskCheck({ models, cache }, opts.minFreeBytes ?? 2e9));
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (opts.services === false) {
    for (const name of ['redis', 'postgresql']) checks.push({ name, status: 'warn', detail: 'skipped (--no-services)' });
  } else {
    const timeout = opts.timeoutMs ?? 3000;
    checks.push(await serviceCheck('redis', redisUrl, () => pingRedis(redisUrl, timeout), 'set REDIS_URL (or --redis) to a running Redis: redis://[[user]:password@]host:port[/db]'));
    checks.push(
      await serviceCheck(
        'postgresql',
        databaseUrl,
        () => pingPostgres(databaseUrl, timeout),
        'set DATABASE_URL (or --database) to a reachable PostgreSQL and an existing database: postgres://user[:password]@host:port/database',
      ),
    );
  }
  return { ok: checks.every((c) => c.status !== 'fail'), generatedAt: new Date().toISOString(), checks };
}

const LABEL: Record<Check['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** One line a check (`fix:` on the next), then the verdict. */
export function renderReport(report: Report): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.flatMap((c) => {
    const line = `${LABEL[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`;
    return c.fix ? [line, `${' '.repeat(width + 8)}fix: ${c.fix}`] : [line];
  });
  const count = (s: Check['status']) => report.checks.filter((c) => c.status === s).length;
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const verdict = report.ok
    ? `ready: nothing the configuration needs is missing (${count('warn')} warning(s))`
    : `NOT READY: ${failed.length} failed (${failed.join(', ')}), ${count('warn')} warning(s)`;
  return `${lines.join('\n')}\n\n${verdict}\n`;
}
