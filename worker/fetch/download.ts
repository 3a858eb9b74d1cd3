/**
 * One file over HTTP(S) into place: streamed into `dest.part` beside `dest` (so the final rename
 * is atomic), resumed from an existing .part with a Range request, redirects followed (Hugging
 * Face and GitHub answer with CDN redirects) but never from https to http, size and sha256 checked
 * over the whole file.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { Transform } from 'stream';
import { pipeline } from 'stream/promises';

export interface DownloadOptions {
  /** Expected sha256 (hex); null or absent: not checked, only computed. */
  sha256?: string | null;
  /** Expected size in bytes; null or absent: not checked beyond what the server announced. */
  bytes?: number | null;
  /** Bytes on disk so far (resumed part included) and the total when the server said it. */
  onProgress?: (got: number, total: number | undefined) => void;
  signal?: AbortSignal;
  /** A connection silent this long is given up on (connecting or mid-transfer). */
  stallMs?: number;
}

export interface Downloaded {
  sha256: string;
  bytes: number;
  /** Bytes already in the .part when this call started (0: a fresh download). */
  resumedFrom: number;
}

/**
 * `integrity`: the content is wrong (the .part is deleted); `status`: the server refused;
 * `unreachable`: no connection; `interrupted`: the transfer broke off (the .part is kept to resume).
 */
export type DownloadFailure = 'integrity' | 'status' | 'unreachable' | 'interrupted';

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly kind: DownloadFailure,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const MAX_REDIRECTS = 5;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

function unreachable(url: URL, code: string): DownloadError {
  return new DownloadError(
    `cannot reach ${url.host} (${code}): this host has no internet access? Download on a connected machine and pass --from URL of a mirror (or set ALTBRIDGE_MIRROR), or copy the files over by hand`,
    'unreachable',
  );
}

/** GET `url` (with Range from `start` when > 0), following redirects; resolves with the final response. */
function request(url: URL, start: number, o: DownloadOptions, hops = 0): Promise<http.IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new DownloadError(`cannot download ${url.href}: only http and https URLs are supported`, 'status'));
  }
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'user-agent': 'altbridge' };
    if (start > 0) headers.range = `bytes=${start}-`;
    const req = get(url, { headers, signal: o.signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        const next = URL.canParse(res.headers.location, url.href) ? new URL(res.headers.location, url) : null;
        if (!next) reject(new DownloadError(`${url.href} redirects to an invalid URL (${res.headers.location})`, 'status', status));
        // An unpinned file has only TLS to vouch for it: a downgrade would hand it to anyone on the path.
        else if (url.protocol === 'https:' && next.protocol !== 'https:') reject(new DownloadError(`${url.href} redirects to ${next.href}: refusing to leave https`, 'status', status));
        else if (hops >= MAX_REDIRECTS) reject(new DownloadError(`too many redirects (over ${MAX_REDIRECTS}) from ${url.href}`, 'status', status));
        else request(next, start, o, hops + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    // Covers a silent connect as well as a stalled transfer: both leave the socket idle.
    req.setTimeout(o.stallMs ?? 30_000, () => req.destroy(Object.assign(new Error('no data'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code && NETWORK_CODES.has(err.code)) reject(unreachable(url, err.code));
      else reject(err);
    });
  });
}

/** Total file size from a 206's Content-Range (`bytes a-b/total`) or a 416's (`bytes * /total`). */
const rangeTotal = (res: http.IncomingMessage): number | undefined => {
  const m = /\/(\d+)\s*$/.exec(res.headers['content-range'] ?? '');
  return m ? Number(m[1]) : undefined;
};

/** The whole file's sha256, the resumed part included (streamed: model files run to hundreds of MB). */
async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sizeOf = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).size : 0);

/** Streams `url` into `part` from byte `start`; resolves with the file's whole size when the server said it. */
async function transfer(url: string, part: string, start: number, o: DownloadOptions): Promise<number | undefined> {
  let res = await request(new URL(url), start, o);
  if (res.statusCode === 416 && start > 0) {
    res.resume();
    // A 416 naming our size means the .part is already whole; otherwise it is no prefix of this file.
    if (rangeTotal(res) === start) return start;
    start = 0;
    res = await request(new URL(url), 0, o);
  }
  const status = res.statusCode ?? 0;
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new DownloadError(`HTTP ${[status, res.statusMessage].filter(Boolean).join(' ')} for ${url}`, 'status', status);
  }
  // A server that ignores Range answers 200 with the whole file: start from zero.
  if (status === 200) start = 0;
  else if (!(res.headers['content-range'] ?? '').startsWith(`bytes ${start}-`)) {
    res.resume();
    throw new DownloadError(`${url}: the server answered a resume with the wrong range (${res.headers['content-range']})`, 'status', status);
  }
  const length = Number(res.headers['content-length']);
  const total = (status === 206 ? rangeTotal(res) : Number.isFinite(length) ? length : undefined) ?? o.bytes ?? undefined;
  let got = start;
  o.onProgress?.(got, total);
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      got += chunk.length;
      o.onProgress?.(got, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, count, fs.createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }));
  } catch (err) {
    if (o.signal?.aborted) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DownloadError(`download of ${url} broke off after ${got} of ${total ?? '?'} bytes (${code}); run the same command again to resume`, 'interrupted');
  }
  return total;
}

export async function download(url: string, dest: string, o: DownloadOptions = {}): Promise<Downloaded> {
  const part = `${dest}.part`;
  let start = sizeOf(part);
  if (o.bytes != null && start > o.bytes) start = 0;
  const resumedFrom = start;
  // A .part already as long as the pinned size needs no request, only the checks below.
  const total = o.bytes != null && start === o.bytes ? o.bytes : await transfer(url, part, start, o);
  const size = sizeOf(part);
  // The connection closed early without an error: keep what came, a rerun resumes.
  if (total !== undefined && size < total) {
    throw new DownloadError(`download of ${url} broke off after ${size} of ${total} bytes; run the same command again to resume`, 'interrupted');
  }
  const sha256 = await hashFile(part);
  const wrongSize = o.bytes != null && size !== o.bytes;
  if (wrongSize || (o.sha256 && sha256 !== o.sha256.toLowerCase())) {
    fs.rmSync(part, { force: true });
    const what = wrongSize ? `size: expected ${o.bytes} bytes, got ${size} (sha256 ${sha256})` : `sha256: expected ${o.sha256}, got ${sha256}`;
    throw new DownloadError(`${url} has the wrong ${what}; the download was deleted`, 'integrity');
  }
  fs.renameSync(part, dest);
  return { sha256, bytes: size, resumedFrom };
}
