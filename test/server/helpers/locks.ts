/**
 * Races made deterministic with PostgreSQL's own locks: hold a table, let requests pile up behind
 * it, and release them only once PostgreSQL shows every one of them waiting.
 */
import type { Core } from '@strapi/strapi';
import { waitFor } from './strapi-app';

/** Sessions of the test database waiting for a lock. */
export async function lockWaiters(strapi: Core.Strapi): Promise<number> {
  const { rows } = await strapi.db.connection.raw(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
  return rows[0].n;
}

/** Starts `requests` while `table` is locked, releases them once all wait on it, and returns their answers. */
export async function releasedTogether<T>(strapi: Core.Strapi, table: string, requests: () => Promise<T>[]): Promise<T[]> {
  const holder = await strapi.db.connection.transaction();
  try {
    await holder.raw(`lock table ${table} in access exclusive mode`);
    const pending = requests();
    const all = Promise.all(pending);
    await waitFor(`${pending.length} requests to wait on ${table}`, async () => ((await lockWaiters(strapi)) >= pending.length ? true : undefined));
    await holder.commit();
    return await all;
  } finally {
    if (!holder.isCompleted()) await holder.rollback();
  }
}
