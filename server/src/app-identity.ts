/**
 * Which app a queue and its jobs belong to. Two apps on one Redis must not share a queue (one
 * app's worker would caption, or reset, the other's file with the same id), so the queue name and
 * Redis prefix default to names derived from the app: its package.json name and its database
 * (client, host, port, database name, schema). Jobs carry the identity and a worker refuses another's.
 * Strapi and `npx altbridge worker` load the same app config, so they derive the same names.
 */
import type { Core } from '@strapi/strapi';
import { createHash } from 'crypto';
import * as path from 'path';

/** What tells one app from another. */
export interface AppFacts {
  name: string;
  client: string;
  host: string;
  port: number | null;
  database: string;
  /** The PostgreSQL schema (apps may share a database, one schema each); '' where there is none. */
  schema: string;
}

const CLIENTS: Record<string, string> = { pg: 'postgres', postgresql: 'postgres', mysql2: 'mysql', 'better-sqlite3': 'sqlite' };
const DEFAULT_PORTS: Record<string, number> = { postgres: 5432, mysql: 3306 };

/** `<slug of the name>-<8 hex of a hash of every fact>`: readable in Redis, unique per app and database. */
export function appId(f: AppFacts): string {
  const client = CLIENTS[f.client] ?? f.client;
  const port = f.port ?? DEFAULT_PORTS[client] ?? null;
  const schema = f.schema || (client === 'postgres' ? 'public' : '');
  const hash = createHash('sha256')
    .update(JSON.stringify([f.name, client, f.host.toLowerCase(), port, f.database, schema]))
    .digest('hex')
    .slice(0, 8);
  const slug = f.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'app'}-${hash}`;
}

/** The queue name and Redis prefix an app uses unless its config names them. */
export const defaultQueue = (id: string) => ({ queueName: `altbridge-captions-${id}`, queuePrefix: `altbridge:${id}` });

interface DbConnection {
  connectionString?: string;
  host?: string;
  port?: number | string;
  database?: string;
  filename?: string;
  schema?: string;
}

/** The facts of a loaded Strapi app (config `info` is its package.json; `database.connection` its database). */
export function appFacts(strapi: Core.Strapi): AppFacts {
  const db = (strapi.config.get('database.connection') ?? {}) as { client?: string; connection?: DbConnection };
  const c = db.connection ?? {};
  const url = c.connectionString ? new URL(c.connectionString) : null;
  const port = url ? url.port : c.port;
  return {
    name: String(strapi.config.get('info.name') ?? ''),
    client: db.client ?? '',
    host: url ? url.hostname : (c.host ?? ''),
    port: port ? Number(port) : null,
    database: url ? decodeURIComponent(url.pathname.slice(1)) : (c.database ?? (c.filename ? path.resolve(strapi.dirs.app.root, c.filename) : '')),
    schema: c.schema ?? '',
  };
}

export const appIdOf = (strapi: Core.Strapi): string => appId(appFacts(strapi));
