import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import type { CaptionStatus } from '../content-types/caption';
import { InvalidInput } from '../errors';
import { getService } from '../services';
import { adminUser, queryInt, respond } from './respond';

const body = (ctx: Context) => ((ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {});

/** An optional whole number from a request body. */
function bodyInt(b: Record<string, unknown>, key: string, lo: number, hi: number): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) throw new InvalidInput(`${key} must be a whole number from ${lo} to ${hi}`);
  return v as number;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const captions = () => getService(strapi, 'captions');
  return {
    find: (ctx: Context) =>
      respond(ctx, async () => {
        const max = ctx.query.maxConfidence;
        const maxConfidence = max === undefined || max === '' ? undefined : Number(max);
        if (maxConfidence !== undefined && !Number.isFinite(maxConfidence)) throw new InvalidInput('maxConfidence must be a number');
        return captions().list({
          status: (ctx.query.status as CaptionStatus | undefined) || undefined,
          maxConfidence,
          missingAlt: ctx.query.missingAlt === 'true',
          page: queryInt(ctx, 'page', 1, 1e9) ?? 1,
          pageSize: queryInt(ctx, 'pageSize', 1, 100) ?? 25,
        });
      }),

    findOne: (ctx: Context) => respond(ctx, () => captions().get(ctx.params.id)),

    update: (ctx: Context) => respond(ctx, () => captions().edit(ctx.params.id, body(ctx).text, adminUser(ctx))),

    approve: (ctx: Context) => respond(ctx, () => captions().approve(ctx.params.id, adminUser(ctx))),

    reject: (ctx: Context) => respond(ctx, () => captions().reject(ctx.params.id, adminUser(ctx))),

    bulkApprove: (ctx: Context) => respond(ctx, () => captions().bulkApprove(body(ctx).ids, adminUser(ctx))),

    /** Queues a new caption for the file, optionally at another M / step count; the row records what was used. */
    regenerate: (ctx: Context) =>
      respond(ctx, async () => {
        const row = await captions().byDocument(ctx.params.id);
        const m = bodyInt(body(ctx), 'm', 0, 1000);
        const steps = bodyInt(body(ctx), 'steps', 1, 1000);
        if (m !== undefined && m > 0 && steps !== undefined && steps > m) throw new InvalidInput(`steps (${steps}) cannot exceed M (${m})`);
        // The row first: a fast worker must not find its result overwritten by 'queued'.
        await captions().markQueued({ id: row.fileId, name: row.fileName });
        const jobId = await getService(strapi, 'queue').enqueueRegenerate(row.fileId, { m, steps });
        return { jobId };
      }),
  };
};
