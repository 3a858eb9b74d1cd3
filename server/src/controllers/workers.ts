import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  status: (ctx: Context) => respond(ctx, () => getService(strapi, 'workers').status()),
});
