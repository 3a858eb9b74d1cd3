import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  get: (ctx: Context) => respond(ctx, () => getService(strapi, 'settings').get()),
  // The raw body: the service refuses anything but an object of known settings.
  set: (ctx: Context) => respond(ctx, () => getService(strapi, 'settings').set((ctx.request as unknown as { body?: unknown }).body)),
  limits: (ctx: Context) => respond(ctx, () => getService(strapi, 'settings').limits()),
});
