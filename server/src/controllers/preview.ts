import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { NoWorker } from '../services/preview';
import { getService } from '../utils';
import { body, respond } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Captions of one image at several M (body: { m?: number[], fileId? }); nothing is stored. 503 when no caption worker answers. */
  run: (ctx: Context) =>
    respond(ctx, () => getService(strapi, 'preview').run(body(ctx))).catch((err: unknown) => {
      if (err instanceof NoWorker) return ctx.serviceUnavailable(err.message);
      throw err;
    }),
});
