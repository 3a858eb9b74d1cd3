/**
 * The processes consuming this app's queue, from their heartbeats in Redis: each consumer
 * (services/consumer.ts) writes its record every HEARTBEAT_MS with a TTL of three beats, and
 * deletes it when it stops cleanly; a killed one drops out when its TTL runs out. Records live
 * under the queue's own keys, so only workers of this app's queue are listed.
 */
import type { Core } from '@strapi/strapi';
import { NO_WORKER_FIX, WorkerInfo, WorkersStatus } from '../contracts';
import { getService, pluginConfig } from '../utils';

export const HEARTBEAT_MS = 10_000;
/** A record outlives two missed beats (a long garbage collection, a slow Redis), not more. */
export const HEARTBEAT_TTL_MS = 3 * HEARTBEAT_MS;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  /** One key per record (it expires), and a hash naming them so they are listed without a scan of Redis. */
  function keys() {
    const c = pluginConfig(strapi);
    const index = `${c.queuePrefix}:${c.queueName}:workers`;
    return { index, record: (id: string) => `${index}:${id}` };
  }
  const redis = () => getService(strapi, 'queue').queue().client;

  return {
    keys,

    /** The record first: a worker in the index always has had one (a lister drops only expired ones). */
    async beat(w: WorkerInfo): Promise<void> {
      const k = keys();
      const client = await redis();
      await client.set(k.record(w.id), JSON.stringify(w), { PX: HEARTBEAT_TTL_MS });
      await client.hset(k.index, { [w.id]: w.startedAt });
    },

    async remove(id: string): Promise<void> {
      const k = keys();
      const client = await redis();
      await client.del(k.record(id));
      await client.hdel(k.index, id);
    },

    /** Live workers, oldest first; the index forgets those whose record expired (their next beat, if any, adds them back). */
    async list(): Promise<WorkerInfo[]> {
      const k = keys();
      const client = await redis();
      const ids = Object.keys(await client.hgetall(k.index));
      const records = await Promise.all(ids.map((id) => client.get(k.record(id))));
      const expired = ids.filter((_, i) => records[i] === null);
      if (expired.length) await client.hdel(k.index, ...expired);
      return records
        .filter((r): r is string => r !== null)
        .map((r) => JSON.parse(r) as WorkerInfo)
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },

    /** For the admin's banner and Host check: are jobs waiting with nobody to take them? */
    async status(): Promise<WorkersStatus> {
      const [workers, waiting] = await Promise.all([this.list(), getService(strapi, 'queue').queue().count()]);
      return { workers, waiting, configured: pluginConfig(strapi).worker, stalled: waiting > 0 && workers.length === 0, fix: NO_WORKER_FIX };
    },
  };
};
