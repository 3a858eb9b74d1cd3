/**
 * A real Strapi serving its built admin panel, for the browser test. Like test/server/helpers/
 * strapi-app.ts (a fresh PostgreSQL database, its own uploads folder, BullMQ keys under a prefix of
 * its own, the inline worker on the default bundle, a free port), but booted from a built copy of
 * the example app (./admin-build.ts) with the admin panel served, and with a super admin whose
 * password the browser can type. close() removes everything again.
 */
import type { Core } from '@strapi/strapi';
import { createStrapi } from '@strapi/strapi';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import type { BuiltApp } from './admin-build';

const PG = { host: process.env.DATABASE_HOST ?? '127.0.0.1', port: Number(process.env.DATABASE_PORT ?? 5432), user: process.env.DATABASE_USERNAME ?? 'postgres', database: 'postgres' };

export interface AdminApp {
  strapi: Core.Strapi;
  baseUrl: string;
  /** Creates a super admin; returns its credentials and an admin API token. */
  superAdmin(): Promise<{ email: string; password: string; token: string }>;
  close(): Promise<void>;
}

async function adminSql(sql: string): Promise<void> {
  const client = new Client(PG);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function bootAdminApp(built: BuiltApp, label: string): Promise<AdminApp> {
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
    SERVE_ADMIN_PANEL: 'true',
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_LOG_LEVEL: 'warn',
    STRAPI_STARTUP_LOG: 'false',
    NODE_ENV: 'test',
  });
  let strapi: Core.Strapi | undefined;
  try {
    strapi = await createStrapi({ appDir: built.appDir, distDir: built.distDir, serveAdminPanel: true }).load();
    await strapi.listen();
  } catch (err) {
    await strapi?.destroy().catch(() => undefined);
    await adminSql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const s = strapi;

  return {
    strapi: s,
    baseUrl,

    async superAdmin() {
      const superAdmin = await s.service('admin::role').getSuperAdmin();
      const email = 'editor@example.com';
      const password = 'Test-passw0rd!';
      await s.service('admin::user').create({ email, firstname: 'Ed', lastname: 'Itor', password, isActive: true, registrationToken: null, roles: [superAdmin.id] });
      const res = await fetch(`${baseUrl}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const body = (await res.json()) as { data?: { token: string } };
      if (!body.data?.token) throw new Error(`admin login failed: HTTP ${res.status} ${JSON.stringify(body)}`);
      return { email, password, token: body.data.token };
    },

    async close() {
      await s.plugin('altbridge').service('queue').queue().obliterate({ force: true });
      await s.destroy();
      await adminSql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      fs.rmSync(publicDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
