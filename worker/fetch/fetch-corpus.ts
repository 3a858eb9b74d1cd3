/**
 * `corpus fetch NAME`: a caption archive downloaded, its COCO-format caption JSON converted to
 * plain text (one caption per line, what `readCorpus` reads as .txt), the archive then deleted
 * (the text is all training uses, and the zip is 250 MB). The folder appears whole or not at all.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DownloadError } from './download';
import { FetchedFile, fetchFiles, writeFetched } from './fetch-files';
import { FetchOptions } from './fetch-model';
import { intoPlace } from './place';
import { baseUrlFor, CORPUS_SOURCES, sourceNamed } from './sources';
import { readZipEntry } from './zip';

export interface FetchedCorpus {
  dir: string;
  baseUrl: string;
  archive: FetchedFile;
  /** Text file -> captions written. */
  lines: Record<string, number>;
}

export interface CorpusFetchOptions extends FetchOptions {
  /** The archive's sha256 (64 hex digits) in place of the pinned one: a mirror's own file. */
  sha256?: string;
}

const defaultCorpusDir = (name: string): string => path.join('corpora', name);

/** The captions of a COCO annotations file, whitespace collapsed (some span lines), empty ones dropped. */
function cocoCaptions(json: string, what: string): string[] {
  const doc = JSON.parse(json) as { annotations?: unknown };
  if (!Array.isArray(doc.annotations)) throw new Error(`${what} is not a COCO captions file (no "annotations" array)`);
  return doc.annotations.map((a: { caption?: unknown }) => (typeof a.caption === 'string' ? a.caption.replace(/\s+/g, ' ').trim() : '')).filter((c) => c !== '');
}

export async function fetchCorpus(name: string | undefined, o: CorpusFetchOptions = {}): Promise<FetchedCorpus> {
  const source = sourceNamed('corpus', CORPUS_SOURCES, name);
  if (o.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(o.sha256)) throw new Error(`corpus fetch: --sha256 takes 64 hex digits, got "${o.sha256}"`);
  const pinned = o.sha256 ? { path: source.archive.path, sha256: o.sha256.toLowerCase(), bytes: null } : source.archive;
  const baseUrl = baseUrlFor(source.name, source.baseUrl, o.from);
  const dir = path.resolve(o.out ?? defaultCorpusDir(source.name));
  return intoPlace(dir, o.force ?? false, async (tmp) => {
    const [archive] = await fetchFiles(baseUrl, [pinned], tmp, o.onProgress).catch((err: unknown) => {
      // A mirror may serve a file of its own (a subset, a newer release) on purpose: say how to pin it.
      if (err instanceof DownloadError && err.kind === 'integrity' && !o.sha256 && baseUrl !== source.baseUrl) {
        throw new DownloadError(`${err.message}; if this mirror serves another file on purpose, pin it with --sha256 HEX`, err.kind, err.status);
      }
      throw err;
    });
    const zip = path.join(tmp, archive.path);
    const lines: Record<string, number> = {};
    for (const split of source.splits) {
      const captions = cocoCaptions(readZipEntry(zip, split.member).toString('utf8'), `${archive.path}:${split.member}`);
      fs.writeFileSync(path.join(tmp, split.out), captions.map((c) => `${c}\n`).join(''));
      lines[split.out] = captions.length;
    }
    fs.rmSync(zip);
    writeFetched(tmp, source.name, baseUrl, [archive], { lines });
    return { dir, baseUrl, archive, lines };
  });
}
