/**
 * A real Strapi (the example app) booted inside the test: a fresh PostgreSQL database, its own
 * uploads folder, BullMQ keys under a prefix of its own in the real Redis, the inline worker on
 * the default bundle, an HTTP server on a free port, and admins to log in with. Everything is
 * removed again by close(). Given a built copy of the app (test/admin), it serves the admin panel.
 */
import type { Core } from '@strapi/strapi';
import { createStrapi } from '@strapi/strapi';
import { Queue } from 'bullmq';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { adminSql } from '../../../bench/pg';
import { AltbridgeConfig, previewQueueName } from '../../../server/src/config';
import { redisConnection } from '../../../server/src/redis';
import { freePort } from '../../helpers/poll';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'example');

export interface TestApp {
  strapi: Core.Strapi;
  baseUrl: string;
  /** Creates an admin with the given roles (default: super admin); its credentials and a logged-in JWT. */
  login(roleIds?: number[]): Promise<{ email: string; password: string; token: string }>;
  /** The JWT of login(). */
  adminToken(roleIds?: number[]): Promise<string>;
  /** Stops Strapi and boots it again on the same database, port, uploads and Redis prefix (`strapi` is the new instance). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function bootApp(label: string, env: Record<string, string> = {}, built?: { appDir: string; distDir: string }): Promise<TestApp> {
  const run = `${label}_${process.pid}_${Date.now()}`;
  const database = `altbridge_test_${run}`;
  await adminSql(`CREATE DATABASE "${database}"`);
  const publicDir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-public-'));
  fs.mkdirSync(path.join(publicDir, 'uploads'));
  const port = await freePort();
  Object.assign(process.env, {
    DATABASE_NAME: database,
    PUBLIC_DIR: publicDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    ALTBRIDGE_QUEUE_PREFIX: `altbridge-test-${run}`,
    ALTBRIDGE_WORKER: 'inline',
    ALTBRIDGE_THREADS: '1',
    // The lab bundle: these tests upload ShapesWorld scenes and rely on its demonstration policy.
    ALTBRIDGE_BUNDLE: 'shapes-mini',
    SERVE_ADMIN_PANEL: built ? 'true' : 'false',
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_LOG_LEVEL: 'warn',
    STRAPI_STARTUP_LOG: 'false',
    NODE_ENV: 'test',
    ...env,
  });
  const boot = async () => {
    const s = await createStrapi({ appDir: built?.appDir ?? EXAMPLE, distDir: built?.distDir ?? EXAMPLE, serveAdminPanel: !!built }).load();
    await s.listen();
    return s;
  };
  let strapi = await boot();
  let admins = 0;

  const app: TestApp = {
    strapi,

    async restart() {
      await strapi.destroy();
      strapi = await boot();
      app.strapi = strapi;
    },
    baseUrl: `http://127.0.0.1:${port}`,

    async login(roleIds) {
      const roles = roleIds ?? [(await strapi.service('admin::role').getSuperAdmin()).id];
      const email = `editor${++admins}@example.com`;
      const password = 'Test-passw0rd!';
      await strapi.service('admin::user').create({ email, firstname: 'Ed', lastname: `Itor ${admins}`, password, isActive: true, registrationToken: null, roles });
      const res = await fetch(`http://127.0.0.1:${port}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const body = (await res.json()) as { data?: { token: string } };
      if (!body.data?.token) throw new Error(`admin login failed: HTTP ${res.status} ${JSON.stringify(body)}`);
      return { email, password, token: body.data.token };
    },

    async adminToken(roleIds) {
      return (await app.login(roleIds)).token;
    },

    async close() {
      const queue = strapi.plugin('altbridge').service('queue');
      await queue.queue().obliterate({ force: true });
      const previews = previewQueue(strapi);
      await previews.obliterate({ force: true });
      await previews.close();
      await strapi.destroy();
      await adminSql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      fs.rmSync(publicDir, { recursive: true, force: true });
    },
  };
  return app;
}

/** The settings preview's queue of the app (the caller closes it). */
export function previewQueue(strapi: Core.Strapi): Queue {
  const c = strapi.config.get('plugin::altbridge') as AltbridgeConfig;
  return new Queue(previewQueueName(c), { connection: redisConnection(c.redisUrl), prefix: c.queuePrefix });
}

export { waitFor } from '../../helpers/poll';
