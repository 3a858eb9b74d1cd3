/** The host report of `altbridge doctor` for the admin panel, checked against this Strapi's own Redis and database. */
import type { Core } from '@strapi/strapi';
import { Report, runDoctor } from '../../../worker/doctor/report';
import { pluginConfig } from '../utils';

type Connection = { connectionString?: string; host?: string; port?: number; database?: string; user?: string; password?: string };

/** The database Strapi itself uses, as a postgres:// URL (the doctor never prints the password). */
function databaseUrl(strapi: Core.Strapi): string | undefined {
  const c = strapi.config.get('database.connection.connection') as Connection | undefined;
  if (!c) return undefined;
  if (c.connectionString) return c.connectionString;
  const auth = `${encodeURIComponent(c.user ?? 'postgres')}${c.password ? `:${encodeURIComponent(c.password)}` : ''}`;
  return `postgres://${auth}@${c.host ?? '127.0.0.1'}:${c.port ?? 5432}/${encodeURIComponent(c.database ?? 'postgres')}`;
}

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  report: (): Promise<Report> => runDoctor({ redisUrl: pluginConfig(strapi).redisUrl, databaseUrl: databaseUrl(strapi) }),
});
