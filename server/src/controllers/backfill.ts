import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { adminUser, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const backfill = () => getService(strapi, 'backfill');
  return {
    status: (ctx: Context) => respond(ctx, () => backfill().status()),
    start: (ctx: Context) => respond(ctx, () => backfill().start(adminUser(ctx))),
    pause: (ctx: Context) => respond(ctx, () => backfill().pause()),
    resume: (ctx: Context) => respond(ctx, () => backfill().resume()),
    cancel: (ctx: Context) => respond(ctx, () => backfill().cancel()),
  };
};
