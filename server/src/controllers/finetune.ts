import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { adminUser, body, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const finetune = () => getService(strapi, 'finetune');
  return {
    start: (ctx: Context) => respond(ctx, () => finetune().start(body(ctx), adminUser(ctx))),
    status: (ctx: Context) => respond(ctx, () => finetune().status()),
    cancel: (ctx: Context) => respond(ctx, () => finetune().cancel()),
    activate: (ctx: Context) => respond(ctx, () => finetune().activate()),
  };
};
