import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { getService } from '../services';
import { adminUser, body, respond } from './respond';

type Upload = { filepath: string; originalFilename?: string | null; size: number };

/** The uploaded file of a multipart request: the "corpus" field, else the only file sent. */
function uploaded(ctx: Context): Upload | undefined {
  const files = (ctx.request as unknown as { files?: Record<string, Upload | Upload[]> }).files ?? {};
  const pick = files.corpus ?? (Object.keys(files).length === 1 ? Object.values(files)[0] : undefined);
  return Array.isArray(pick) ? pick[0] : pick;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const finetune = () => getService(strapi, 'finetune');
  return {
    uploadCorpus: (ctx: Context) => respond(ctx, () => finetune().addCorpus(uploaded(ctx), adminUser(ctx))),
    corpus: (ctx: Context) => respond(ctx, () => finetune().corpora()),
    start: (ctx: Context) => respond(ctx, () => finetune().start(body(ctx), adminUser(ctx))),
    status: (ctx: Context) => respond(ctx, () => finetune().status()),
    cancel: (ctx: Context) => respond(ctx, () => finetune().cancel()),
    activate: (ctx: Context) => respond(ctx, () => finetune().activate()),
    bundles: (ctx: Context) => respond(ctx, () => finetune().bundles()),
    activateBundle: (ctx: Context) => respond(ctx, () => finetune().activateBundle(body(ctx).bundle)),
  };
};
