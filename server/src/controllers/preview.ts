import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../utils';
import { body, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Captions of one image at several M (body: { m?: number[], fileId? }); nothing is stored. */
  run: (ctx: Context) => respond(ctx, () => getService(strapi, 'preview').run(body(ctx))),
});
