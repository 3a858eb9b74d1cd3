/** `altbridge worker [--app DIR] [--concurrency N]`: the caption queue's consumer as its own process. */
import * as path from 'path';
import { parseArgs } from 'util';
import { wholeNumber } from './args';

export async function queueWorkerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { app: { type: 'string', default: '.' }, concurrency: { type: 'string' } } });
  const concurrency = wholeNumber('concurrency', values.concurrency, 1);
  // The plugin's config default reads it; an app's config/plugins.js may still set its own.
  if (concurrency !== undefined) process.env.ALTBRIDGE_CONCURRENCY = String(concurrency);
  // Loaded on demand, as Strapi is the server side's dependency, not the engine's (require: tsx leaves
  // import() to Node, which does not resolve .ts files).
  const { runWorkerProcess } = require('../server/src/consumer/process') as typeof import('../server/src/consumer/process');
  return runWorkerProcess(path.resolve(values.app!));
}
