import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../services';
import { body, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  get: (ctx: Context) => respond(ctx, () => getService(strapi, 'settings').get()),
  set: (ctx: Context) => respond(ctx, () => getService(strapi, 'settings').set((ctx.request as unknown as { body?: unknown }).body)),
  bundles: (ctx: Context) => respond(ctx, async () => getService(strapi, 'settings').bundles()),
  /** Captions of one image at several M (body: {m?: number[], fileId?}); nothing is stored. */
  preview: (ctx: Context) => respond(ctx, () => getService(strapi, 'preview').run(body(ctx))),
});
