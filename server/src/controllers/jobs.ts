import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { queryInt, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The dead-letter view: jobs that failed for good, newest first, with the reason. */
  failed: (ctx: Context) =>
    respond(ctx, async () => {
      const page = queryInt(ctx, 'page', [1, 1e9]) ?? 1;
      const pageSize = queryInt(ctx, 'pageSize', [1, 100]) ?? 25;
      return getService(strapi, 'queue').failed((page - 1) * pageSize, page * pageSize - 1);
    }),
  retry: (ctx: Context) => respond(ctx, () => getService(strapi, 'queue').retry(ctx.params.id)),
});
