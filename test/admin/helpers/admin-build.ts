/**
 * The example app with its admin panel built, for the browser test: a copy of example/ (config,
 * src, package.json, tsconfig.json) in example/.tmp/ — inside the repository so that the copy's
 * config/plugins.js finds the plugin root above it, and ignored by example/.gitignore — built with
 * `strapi build` as `npm run build` does. The admin build takes the plugin's admin panel from its
 * package exports (dist/admin, package.json#exports['./strapi-admin']), so the plugin's own
 * `strapi-plugin build` runs first. Strapi then boots from the copy's dist/.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const EXAMPLE = path.join(__dirname, '..', '..', '..', 'example');
const STRAPI_CLI = path.join(path.dirname(require.resolve('@strapi/strapi/package.json')), 'bin', 'strapi.js');
const SDK_CLI = path.join(path.dirname(require.resolve('@strapi/sdk-plugin/package.json')), 'bin', 'strapi-plugin.js');

/** A 1×1 transparent PNG. */
const TRANSPARENT_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Runs a Node CLI to its end in production mode; throws `what` failed with the output's tail. */
async function node(args: string[], cwd: string, what: string): Promise<void> {
  const log: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, NODE_ENV: 'production', STRAPI_TELEMETRY_DISABLED: 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => log.push(String(d)));
    child.stderr.on('data', (d) => log.push(String(d)));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${log.join('').slice(-4000)}`);
}

export interface BuiltApp {
  /** The copy's root (appDir). */
  appDir: string;
  /** Its compiled app with the admin panel in build/ (distDir). */
  distDir: string;
  buildMs: number;
  remove(): void;
}

/**
 * Copies the example app and builds it (server JS to dist/, admin panel to dist/build). With
 * ALTBRIDGE_TEST_ADMIN_APP set to a copy built before (and kept), that one is used as it is: a quick
 * loop while working on the test itself, not on the admin code.
 */
export async function buildExampleApp(label: string): Promise<BuiltApp> {
  const reuse = process.env.ALTBRIDGE_TEST_ADMIN_APP;
  if (reuse) return { appDir: reuse, distDir: path.join(reuse, 'dist'), buildMs: 0, remove: () => undefined };
  const appDir = path.join(EXAMPLE, '.tmp', `${label}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(appDir, { recursive: true });
  for (const entry of ['config', 'src', 'package.json', 'tsconfig.json', 'favicon.png']) {
    if (fs.existsSync(path.join(EXAMPLE, entry))) fs.cpSync(path.join(EXAMPLE, entry), path.join(appDir, entry), { recursive: true });
  }
  // strapi::favicon reads favicon.png from the app folder and logs an error per request without one.
  if (!fs.existsSync(path.join(appDir, 'favicon.png'))) fs.writeFileSync(path.join(appDir, 'favicon.png'), TRANSPARENT_PNG);
  const started = Date.now();
  // The app takes the plugin's admin from its package exports (dist/admin), as an installed plugin's.
  await node([SDK_CLI, 'build'], path.join(EXAMPLE, '..'), 'strapi-plugin build of the plugin');
  await node([STRAPI_CLI, 'build'], appDir, 'strapi build of the example app');
  const buildMs = Date.now() - started;
  const distDir = path.join(appDir, 'dist');
  if (!fs.existsSync(path.join(distDir, 'build', 'index.html'))) throw new Error(`strapi build of the example app wrote no ${distDir}/build/index.html`);
  return { appDir, distDir, buildMs, remove: () => fs.rmSync(appDir, { recursive: true, force: true }) };
}
