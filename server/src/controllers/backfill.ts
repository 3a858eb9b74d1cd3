import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../services';
import { adminUser, respond } from './respond';

const nameOf = (ctx: Context) => {
  const u = adminUser(ctx);
  return u ? [u.firstname, u.lastname].filter(Boolean).join(' ') || u.email || `admin #${u.id}` : null;
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const backfill = () => getService(strapi, 'backfill');
  return {
    status: (ctx: Context) => respond(ctx, () => backfill().status()),
    start: (ctx: Context) => respond(ctx, () => backfill().start(nameOf(ctx))),
    pause: (ctx: Context) => respond(ctx, () => backfill().pause()),
    resume: (ctx: Context) => respond(ctx, () => backfill().resume()),
    cancel: (ctx: Context) => respond(ctx, () => backfill().cancel()),
  };
};
