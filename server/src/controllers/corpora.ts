import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import type { UploadedFile } from '../services/corpora';
import { getService } from '../utils';
import { adminUser, respond } from './respond';

/** The uploaded file of a multipart request: the "corpus" field, else the only file sent. */
function uploaded(ctx: Context): UploadedFile | undefined {
  const files = (ctx.request as unknown as { files?: Record<string, UploadedFile | UploadedFile[]> }).files ?? {};
  const pick = files.corpus ?? (Object.keys(files).length === 1 ? Object.values(files)[0] : undefined);
  return Array.isArray(pick) ? pick[0] : pick;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const corpora = () => getService(strapi, 'corpora');
  return {
    upload: (ctx: Context) => respond(ctx, () => corpora().upload(uploaded(ctx), adminUser(ctx))),
    list: (ctx: Context) => respond(ctx, () => corpora().list()),
  };
};
