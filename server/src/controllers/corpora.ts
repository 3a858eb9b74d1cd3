/**
 * Corpus uploads. Strapi's body middleware is global (one formidable configuration, 200 MB by
 * default) and a route's own code runs only once the body is whole on disk; so corpusUploadBody
 * parses this route's requests before it: formidable stops at corpusMaxBytes while the upload streams
 * in and writes one file at most, into a private folder removed once the request is answered.
 * Whatever parsed a request, the controller deletes every file it brought when it answers.
 */
import type { Core } from '@strapi/strapi';
import type FormidableModule from 'formidable';
import * as fs from 'fs';
import type { Context, Middleware } from 'koa';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import { InvalidInput } from '../errors';
import { CORPUS_UPLOAD_PATH } from '../routes/admin';
import { tooLarge, UploadedFile } from '../services/corpora';
import { getService, pluginConfig } from '../utils';
import { adminUser, respond } from './respond';

// formidable as Strapi's body parser has it (@strapi/strapi -> @strapi/core -> koa-body -> formidable), not a dependency of the plugin's own.
const koaBody = ['@strapi/core', 'koa-body'].reduce((from, dep) => createRequire(from).resolve(dep), require.resolve('@strapi/strapi'));
const formidable = createRequire(koaBody)('formidable') as typeof FormidableModule;

/** The route as Strapi's router matches it (the plugin's admin prefix; any case, an optional trailing slash). */
const ROUTE = new RegExp(`^/altbridge${CORPUS_UPLOAD_PATH}/?$`, 'i');

/** What corpusUploadBody found: files sent (counted, only the first written) and why the upload was refused, if it was. */
interface UploadCheck {
  count: number;
  refusal: Error | null;
}
const CHECK = 'altbridgeCorpusUpload';

type Files = Record<string, UploadedFile | UploadedFile[]>;

/** The app-level middleware (registered before Strapi's own) that parses POST /finetune/corpus with that route's limits. */
export function corpusUploadBody(strapi: Core.Strapi): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !ROUTE.test(ctx.path) || !ctx.is('multipart')) return next();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-corpus-'));
    try {
      const limit = pluginConfig(strapi).corpusMaxBytes;
      let count = 0;
      const form = formidable({ uploadDir: dir, maxFileSize: limit, maxFields: 20, maxFieldsSize: 64 * 1024, filter: () => ++count === 1 });
      const check: UploadCheck = await new Promise((resolve) =>
        form.parse(ctx.req, (err: (Error & { code?: number }) | null, _fields, files) => {
          if (!err) {
            (ctx.request as unknown as { files: Files }).files = files as unknown as Files;
            return resolve({ count, refusal: null });
          }
          // The rest of the body is read and dropped (written nowhere), so the answer reaches the client.
          ctx.req.resume();
          resolve({ count, refusal: err.code === formidable.errors.biggerThanMaxFileSize ? tooLarge(limit) : new InvalidInput(`the upload could not be read: ${err.message}`) });
        }),
      );
      ctx.state[CHECK] = check;
      // Strapi's body middleware parses every multipart request, and this one's stream is spent: a type it leaves alone.
      ctx.req.headers['content-type'] = 'application/x-altbridge-parsed';
      await next();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Every file of the request, in every field. */
function uploadedFiles(ctx: Context): UploadedFile[] {
  const files = (ctx.request as unknown as { files?: Files }).files ?? {};
  return Object.values(files).flat();
}

/** The one corpus file sent (any field name); several are refused. */
function onlyFile(ctx: Context, files: UploadedFile[]): UploadedFile | undefined {
  const check = ctx.state[CHECK] as UploadCheck | undefined;
  if (check?.refusal) throw check.refusal;
  const count = check?.count ?? files.length;
  if (count > 1) throw new InvalidInput(`send one corpus file per upload (this one has ${count})`);
  return files[0];
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const corpora = () => getService(strapi, 'corpora');
  return {
    upload: async (ctx: Context) => {
      const files = uploadedFiles(ctx);
      try {
        await respond(ctx, () => corpora().upload(onlyFile(ctx, files), adminUser(ctx)));
      } finally {
        // Strapi's body middleware deletes only a field named "files"; the corpus was copied if kept.
        await Promise.all(files.map((f) => fs.promises.rm(f.filepath, { force: true })));
      }
    },
    list: (ctx: Context) => respond(ctx, () => corpora().list()),
  };
};
