/** `altbridge worker [--app DIR] [--concurrency N]`: the caption queue's consumer as its own process. */
import * as path from 'path';
import { defineCommand } from './command';

export const queueWorkerCommand = defineCommand({
  name: 'worker',
  summary: 'consume the caption queue of a Strapi app in this process',
  about: "Loads the app's configuration (database, Redis, plugin settings) without its HTTP server, and captions until stopped (SIGINT/SIGTERM finish the jobs in hand).",
  options: {
    app: { type: 'text', arg: 'DIR', default: '.', help: 'the Strapi app' },
    concurrency: { type: 'whole', min: 1, defaultText: "$ALTBRIDGE_CONCURRENCY, else the plugin's config", help: 'jobs captioned at once' },
  },
  example: 'altbridge worker --app . --concurrency 2',
  run(values) {
    // The plugin's config default reads it; an app's config/plugins.js may still set its own.
    if (values.concurrency !== undefined) process.env.ALTBRIDGE_CONCURRENCY = String(values.concurrency);
    // Loaded on demand, as Strapi is the server side's dependency, not the engine's (require: tsx leaves
    // import() to Node, which does not resolve .ts files).
    const { runWorkerProcess } = require('../server/src/consumer/process') as typeof import('../server/src/consumer/process');
    return runWorkerProcess(path.resolve(values.app));
  },
});
