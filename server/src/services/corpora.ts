/**
 * Caption corpora uploaded for fine-tuning: each file is checked with the engine's corpus reader
 * before it is kept (a file with no usable line is refused with the reason), stored under the
 * plugin's data folder (readable by its owner only), and listed with its validation report (the
 * last 20; the file of one that drops off the list is deleted).
 */
import type { Core } from '@strapi/strapi';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CorpusError, CorpusReport, readCorpus } from '../../../worker/corpus/read';
import type { CorpusInfo } from '../contracts';
import { InvalidInput, NotFound, TooLarge } from '../errors';
import { AdminUser, dataDir, nameOf, pluginConfig, pluginStore } from '../utils';

const FORMATS: Record<string, 'txt' | 'csv' | 'tsv' | 'jsonl'> = { '.txt': 'txt', '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };
const KEPT = 20;
const LOCK = 'altbridge.corpora';

/** The answer to a corpus over the limit (`bytes` when known: the upload may be cut off while streaming). */
export const tooLarge = (limit: number, bytes?: number): TooLarge =>
  new TooLarge(`the corpus is ${bytes === undefined ? 'over the size limit' : `${bytes} bytes`}; the limit is ${limit} bytes (${Math.round(limit / 1048576)} MB)`);

/** A file of a multipart request, as Strapi's body parser gives it. */
export interface UploadedFile {
  filepath: string;
  originalFilename?: string | null;
  size: number;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => pluginStore(strapi, 'corpora');
  const folder = () => path.join(dataDir(strapi), 'corpora');
  const fileOf = (c: CorpusInfo) => path.join(folder(), `${c.id}${path.extname(c.name).toLowerCase()}`);

  const list = async () => ((await store().get({})) as CorpusInfo[] | null) ?? [];

  return {
    list,

    /** Stores an uploaded corpus file after checking it; a file with no usable line is refused. */
    async upload(file: UploadedFile | undefined, user: AdminUser | null): Promise<CorpusInfo> {
      if (!file) throw new InvalidInput('send the corpus as multipart/form-data in a field named "corpus"');
      const name = path.basename(file.originalFilename || 'corpus.txt');
      const limit = pluginConfig(strapi).corpusMaxBytes;
      if (file.size > limit) throw tooLarge(limit, file.size);
      const ext = path.extname(name).toLowerCase();
      const format = FORMATS[ext];
      if (!format) throw new InvalidInput(`${name}: a corpus must be .txt (one caption per line), .csv or .tsv (a "caption" column) or .jsonl (a "caption" field)`);
      if (file.size === 0) throw new InvalidInput(`${name} is empty`);
      const id = `corpus-${Date.now()}-${crypto.randomBytes(4).toString('hex')}`;
      fs.mkdirSync(folder(), { recursive: true, mode: 0o700 });
      fs.chmodSync(folder(), 0o700);
      const dest = path.join(folder(), `${id}${ext}`);
      fs.copyFileSync(file.filepath, dest);
      fs.chmodSync(dest, 0o600);
      let report: CorpusReport;
      let sample: string[];
      try {
        const c = await readCorpus(dest, { format });
        report = c.report;
        sample = c.train.slice(0, 5);
      } catch (err) {
        fs.rmSync(dest, { force: true });
        if (err instanceof CorpusError || err instanceof RangeError) {
          // The reader names the stored copy; the admin knows the file by its own name.
          const msg = (err as Error).message.split(dest).join(name);
          throw new InvalidInput(msg.startsWith(name) ? msg : `${name}: ${msg}`);
        }
        throw err;
      }
      if (report.kept === 0) {
        fs.rmSync(dest, { force: true });
        const why = Object.entries(report.dropped)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ');
        throw new InvalidInput(`${name}: no usable caption lines (${report.lines} read${why ? `; dropped: ${why}` : ''})`);
      }
      const warnings: string[] = [];
      if (report.heldOut === 0) warnings.push('no line was held out for evaluation: the new version cannot be compared with the active one (add more lines)');
      if (report.train < 100) warnings.push(`only ${report.train} training lines: a few thousand give a much better fine-tune`);
      const info: CorpusInfo = { id, name, bytes: file.size, format, uploadedAt: new Date().toISOString(), uploadedBy: nameOf(user), report, sample, warnings };
      // The list changes under a lock: of two uploads at once, neither drops the other (whose file would stay forever).
      const dropped = await strapi.db.transaction(async ({ trx }) => {
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [LOCK]);
        const all = [info, ...(await list())];
        await store().set({ value: all.slice(0, KEPT) });
        return all.slice(KEPT);
      });
      for (const c of dropped) fs.rmSync(fileOf(c), { force: true });
      return info;
    },

    /** An uploaded corpus and the path of its stored file. */
    async get(id: unknown): Promise<{ corpus: CorpusInfo; file: string }> {
      const corpus = (await list()).find((c) => c.id === id);
      if (!corpus) throw new NotFound(`no uploaded corpus ${String(id)}`);
      const file = fileOf(corpus);
      if (!fs.existsSync(file)) throw new NotFound(`the file of corpus ${corpus.id} is gone; upload it again`);
      return { corpus, file };
    },
  };
};
