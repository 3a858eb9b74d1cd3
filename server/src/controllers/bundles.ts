import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { body, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const bundles = () => getService(strapi, 'bundles');
  return {
    usable: (ctx: Context) => respond(ctx, () => bundles().usable()),
    versions: (ctx: Context) => respond(ctx, () => bundles().versions()),
    activate: (ctx: Context) => respond(ctx, () => bundles().activate(body(ctx).bundle)),
  };
};
