/**
 * A source's files from a base URL into a folder, each checked against its pinned hash or, when
 * not pinned, the mirror's SHA256SUMS; FETCHED.json records what was fetched and how it was checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { sha256File } from '../bundle/load';
import { download, DownloadError } from './download';
import { SourceFile } from './sources';

export type FileProgress = (file: string, got: number, total: number | undefined) => void;

export interface FetchedFile {
  path: string;
  sha256: string;
  bytes: number;
  /** What the hash was checked against: nothing means the user should check and pin it. */
  checked: 'pinned' | 'SHA256SUMS' | 'nothing';
}

const SUMS = 'SHA256SUMS';

/** Relative path -> sha256 from the mirror's SHA256SUMS (sha256sum format), or null when it has none. */
async function mirrorSums(baseUrl: string, dir: string): Promise<Map<string, string> | null> {
  const file = path.join(dir, SUMS);
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.part`, { force: true });
  try {
    await download(new URL(SUMS, baseUrl).href, file);
  } catch (err) {
    // Object stores answer 403 rather than 404 for a key that is not there.
    if (err instanceof DownloadError && (err.status === 404 || err.status === 403)) return null;
    throw err;
  }
  const sums = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-fA-F]{64}) [ *](?:\.\/)?(.+?)\r?$/.exec(line);
    if (m) sums.set(m[2], m[1].toLowerCase());
  }
  fs.rmSync(file);
  return sums;
}

export async function fetchFiles(baseUrl: string, files: SourceFile[], dir: string, onProgress?: FileProgress): Promise<FetchedFile[]> {
  const sums = files.every((f) => f.sha256) ? null : await mirrorSums(baseUrl, dir);
  const out: FetchedFile[] = [];
  for (const f of files) {
    const expected = f.sha256 ?? sums?.get(f.path) ?? null;
    if (sums && !expected) throw new DownloadError(`${new URL(SUMS, baseUrl).href} has no line for ${f.path}`, 'integrity');
    const checked = f.sha256 ? 'pinned' : expected ? 'SHA256SUMS' : 'nothing';
    const dest = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (fs.existsSync(dest)) {
      // Finished by an earlier, interrupted run of the same fetch: check it rather than fetch again.
      const sha256 = sha256File(dest);
      if (expected && sha256 !== expected) fs.rmSync(dest);
      else {
        out.push({ path: f.path, sha256, bytes: fs.statSync(dest).size, checked });
        continue;
      }
    }
    const got = await download(new URL(f.path, baseUrl).href, dest, {
      sha256: expected,
      bytes: f.bytes,
      onProgress: onProgress && ((n, total) => onProgress(f.path, n, total)),
    });
    out.push({ path: f.path, sha256: got.sha256, bytes: got.bytes, checked });
  }
  return out;
}

/** FETCHED.json in `dir`: where the files came from and their hashes, ready to pin in sources.ts. */
export function writeFetched(dir: string, name: string, baseUrl: string, files: FetchedFile[], extra: Record<string, unknown> = {}): void {
  const record = { name, baseUrl, fetchedAt: new Date().toISOString(), files: Object.fromEntries(files.map((f) => [f.path, { sha256: f.sha256, bytes: f.bytes, checked: f.checked }])), ...extra };
  fs.writeFileSync(path.join(dir, 'FETCHED.json'), `${JSON.stringify(record, null, 2)}\n`);
}
