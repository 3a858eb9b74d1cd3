import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { queryInt, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  report: (ctx: Context) =>
    respond(ctx, () =>
      getService(strapi, 'audit').report({
        page: queryInt(ctx, 'page', [1, 1e9]) ?? 1,
        pageSize: queryInt(ctx, 'pageSize', [1, 500]) ?? 50,
        lowConfidence: ctx.query.lowConfidence,
        reason: ctx.query.reason,
        rule: ctx.query.rule,
        decorative: ctx.query.decorative,
        maxLength: ctx.query.maxLength,
        duplicateMin: ctx.query.duplicateMin,
      }),
    ),

  /** A file download: Content-Disposition attachment; errors answer as JSON like the other routes. */
  export: async (ctx: Context) => {
    let file: { body: string; type: string; filename: string } | undefined;
    await respond(ctx, async () => {
      file = await getService(strapi, 'audit').export(ctx.query);
      return null;
    });
    if (!file) return;
    ctx.set('Content-Type', file.type);
    ctx.set('Content-Disposition', `attachment; filename="${file.filename}"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = file.body;
  },
});
