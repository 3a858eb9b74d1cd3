/** `altbridge bench queue [--images 200] [--app DIR] [--concurrency N] [--upload-concurrency 4] [--json]`. */
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { wholeNumber } from './args';

export async function benchQueueCommand(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values } = parseArgs({ args: argv, options: { images: s, app: s, concurrency: s, 'upload-concurrency': s, seed: s, size: s, timeout: s, json: { type: 'boolean' } } });
  // Strapi is the server side's dependency, loaded on demand (see queue-worker.ts).
  const { benchQueue, formatBenchQueue } = require('../bench/queue') as typeof import('../bench/queue');
  const concurrency = wholeNumber('concurrency', values.concurrency, 1);
  const r = await benchQueue({
    images: wholeNumber('images', values.images, 1) ?? 200,
    appDir: path.resolve(values.app ?? path.join(__dirname, '..', 'example')),
    concurrency,
    uploadConcurrency: wholeNumber('upload-concurrency', values['upload-concurrency'], 1) ?? 4,
    seed: wholeNumber('seed', values.seed, 0) ?? 2026,
    size: wholeNumber('size', values.size, 16) ?? 64,
    timeoutSec: wholeNumber('timeout', values.timeout, 1) ?? 1800,
  });
  process.stdout.write((values.json ? JSON.stringify(r) : formatBenchQueue(r, { concurrency: concurrency ?? Number(process.env.ALTBRIDGE_CONCURRENCY ?? 2), cpus: os.cpus().length })) + '\n');
  return 0;
}
