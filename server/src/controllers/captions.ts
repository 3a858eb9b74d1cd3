import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import type { CaptionStatus } from '../contracts';
import { InvalidInput } from '../errors';
import { getService } from '../utils';
import { adminUser, body, queryInt, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const captions = () => getService(strapi, 'captions');
  return {
    find: (ctx: Context) =>
      respond(ctx, () => {
        const max = ctx.query.maxConfidence;
        const maxConfidence = max === undefined || max === '' ? undefined : Number(max);
        if (maxConfidence !== undefined && !Number.isFinite(maxConfidence)) throw new InvalidInput('maxConfidence must be a number');
        return captions().list({
          status: (ctx.query.status as CaptionStatus | undefined) || undefined,
          maxConfidence,
          low: ctx.query.low === 'true',
          missingAlt: ctx.query.missingAlt === 'true',
          page: queryInt(ctx, 'page', [1, 1e9]) ?? 1,
          pageSize: queryInt(ctx, 'pageSize', [1, 100]) ?? 25,
        });
      }),

    findOne: (ctx: Context) => respond(ctx, () => captions().get(ctx.params.id)),
    update: (ctx: Context) => respond(ctx, () => captions().edit(ctx.params.id, body(ctx).text, adminUser(ctx))),
    approve: (ctx: Context) => respond(ctx, () => captions().approve(ctx.params.id, adminUser(ctx), body(ctx))),
    reject: (ctx: Context) => respond(ctx, () => captions().reject(ctx.params.id, adminUser(ctx))),
    bulkApprove: (ctx: Context) => respond(ctx, () => captions().bulkApprove(body(ctx).ids, adminUser(ctx), body(ctx))),
    /** Body: { m?, steps? } overriding the settings for this caption. */
    regenerate: (ctx: Context) => respond(ctx, () => captions().regenerate(ctx.params.id, body(ctx))),
  };
};
