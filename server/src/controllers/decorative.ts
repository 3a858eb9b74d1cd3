import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { whole, ROW_ID } from '../input';
import { getService } from '../utils';
import { adminUser, body, respond } from './respond';

const fileId = (ctx: Context) => whole('fileId', ctx.params.fileId, ROW_ID);

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  mark: (ctx: Context) => respond(ctx, () => getService(strapi, 'decorative').mark(fileId(ctx), body(ctx).reason, adminUser(ctx))),
  unmark: (ctx: Context) => respond(ctx, async () => (await getService(strapi, 'decorative').unmark(fileId(ctx)), null)),
});
