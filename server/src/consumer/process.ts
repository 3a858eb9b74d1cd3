/**
 * `npx altbridge worker`: the caption queue consumed in a process of its own. It loads the Strapi
 * app (database, plugin settings, upload service) without starting its HTTP server. Strapi's own
 * SIGINT/SIGTERM handler destroys the app, whose destroy lifecycle lets the jobs in hand finish,
 * and exits; a job cut off harder is retried by BullMQ's stalled-job check once its lock expires.
 */
import { createStrapi } from '@strapi/strapi';
import * as fs from 'fs';
import * as path from 'path';
import { getService } from '../utils';

export async function runWorkerProcess(appDir: string): Promise<never> {
  if (!fs.existsSync(path.join(appDir, 'config'))) throw new Error(`${appDir} is not a Strapi app (no config/ folder); pass --app DIR`);
  // A compiled app runs from its build output, as `strapi start` does; before a build, from its
  // sources (enough for plain-JavaScript config, like the example app's).
  const built = path.join(appDir, 'dist');
  const distDir = fs.existsSync(path.join(appDir, 'tsconfig.json')) && fs.existsSync(path.join(built, 'config')) ? built : appDir;
  const strapi = await createStrapi({ appDir, distDir, serveAdminPanel: false }).load();
  // With worker: 'inline' in the app's config, bootstrap has started it already (then it reports itself inline).
  getService(strapi, 'consumer').start('external');
  // Runs until a signal: the queue's Redis connections keep the process alive.
  return new Promise<never>(() => undefined);
}
