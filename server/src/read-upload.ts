/**
 * The bytes of an uploaded file from its URL: under the app's public folder for Strapi's local
 * provider (URLs like /uploads/x.png), over HTTP for remote providers (absolute URLs).
 */
import { promises as fsp } from 'fs';
import * as path from 'path';

const MAX_BYTES = 100 * 1024 * 1024;

export async function readUpload(url: string, publicDir: string, timeoutMs = 30_000): Promise<Buffer> {
  if (/^https?:\/\//i.test(url)) {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`fetching ${url}: HTTP ${res.status} ${res.statusText}`);
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_BYTES) throw new Error(`fetching ${url}: ${length} bytes is over the ${MAX_BYTES}-byte limit`);
    return Buffer.from(await res.arrayBuffer());
  }
  const root = path.resolve(publicDir);
  const file = path.resolve(root, '.' + decodeURIComponent(url.split('?')[0]));
  // A URL must not reach outside the public folder (../ in a stored URL).
  if (!file.startsWith(root + path.sep)) throw new Error(`file URL ${url} points outside the public folder ${root}`);
  return fsp.readFile(file);
}
