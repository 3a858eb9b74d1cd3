/**
 * The bytes of an uploaded file from its URL: under the app's public folder for Strapi's local
 * provider (URLs like /uploads/x.png), over HTTP(S) for remote providers (absolute URLs). A stored
 * URL is data, not a trusted path: a local one may not reach outside the public folder (../, its
 * percent-encoded form, a symbolic link), other schemes are refused, and a download stops at the
 * size limit whatever its headers claim (a chunked answer has no Content-Length).
 */
import { promises as fsp } from 'fs';
import * as path from 'path';

export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export interface ReadUploadOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

export async function readUpload(url: string, publicDir: string, o: ReadUploadOptions = {}): Promise<Buffer> {
  const maxBytes = o.maxBytes ?? MAX_UPLOAD_BYTES;
  if (/^https?:\/\//i.test(url)) return download(url, maxBytes, o.timeoutMs ?? 30_000);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw new Error(`file URL ${url}: only http(s) URLs and paths under the public folder are read`);
  const file = await localPath(url, publicDir);
  const { size } = await fsp.stat(file);
  if (size > maxBytes) throw new Error(`file URL ${url}: ${size} bytes is over the ${maxBytes}-byte limit`);
  return fsp.readFile(file);
}

/** The file a local URL names, refused unless it lies inside the public folder once links are followed. */
async function localPath(url: string, publicDir: string): Promise<string> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.split(/[?#]/)[0]);
  } catch {
    throw new Error(`file URL ${url} is not valid percent-encoding`);
  }
  if (decoded.includes('\0')) throw new Error(`file URL ${url} contains a NUL character`);
  const outside = () => new Error(`file URL ${url} points outside the public folder ${publicDir}`);
  // Joined to the public folder: an absolute path is taken as relative to it, never to /.
  const root = path.resolve(publicDir);
  const file = path.join(root, decoded);
  if (!file.startsWith(root + path.sep)) throw outside();
  // A link inside the folder may still point out of it.
  const [realRoot, realFile] = await Promise.all([fsp.realpath(root), fsp.realpath(file)]);
  if (!realFile.startsWith(realRoot + path.sep)) throw outside();
  return realFile;
}

async function download(url: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`fetching ${url}: no answer in ${timeoutMs} ms`)), timeoutMs);
  try {
    const res = await fetch(url, { signal: controller.signal });
    if (!res.ok) throw new Error(`fetching ${url}: HTTP ${res.status} ${res.statusText}`);
    const tooLarge = (n: number) => new Error(`fetching ${url}: ${n} bytes is over the ${maxBytes}-byte limit`);
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > maxBytes) throw tooLarge(length);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body ?? []) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge(total);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  } finally {
    // Also ends the transfer when the body was left unread (a refusal above).
    controller.abort();
    clearTimeout(timer);
  }
}
