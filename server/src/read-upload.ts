/**
 * The bytes of an uploaded file from its URL: under the app's public folder for Strapi's local
 * provider (URLs like /uploads/x.png), over HTTP(S) for remote providers (absolute URLs). A stored
 * URL is data, not a trusted path: a local one may not reach outside the public folder (../, its
 * percent-encoded form, a symbolic link), other schemes are refused, and a download stops at the
 * size limit whatever its headers claim (a chunked answer has no Content-Length).
 *
 * A download may not reach this host or its network (loopback, private, link-local, unique-local
 * addresses: cloud metadata services, databases) unless the operator allows the host by name
 * (`allowHosts`, the plugin's `remoteHosts`). Redirects are followed by hand, each hop checked the
 * same way, and the check is made on the address actually connected to (the DNS lookup of the
 * connection itself), so a name that resolves differently the second time gains nothing.
 */
import * as dns from 'dns';
import { promises as fsp } from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';

export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const MAX_REDIRECTS = 5;

export interface ReadUploadOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** Host names that may be downloaded from although they resolve to a non-public address. */
  allowHosts?: readonly string[];
}

/** Addresses a download may not connect to, IPv4 ranges also as IPv4-mapped and NAT64 IPv6. */
const NON_PUBLIC = (() => {
  const list = new net.BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, cloud metadata services
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3], // multicast, reserved, broadcast
  ];
  for (const [a, bits] of v4) {
    list.addSubnet(a, bits, 'ipv4');
    list.addSubnet(`::ffff:${a}`, 96 + bits, 'ipv6');
    list.addSubnet(`64:ff9b::${a}`, 96 + bits, 'ipv6');
  }
  list.addAddress('::', 'ipv6');
  list.addAddress('::1', 'ipv6');
  list.addSubnet('fc00::', 7, 'ipv6'); // unique-local
  list.addSubnet('fe80::', 10, 'ipv6'); // link-local
  list.addSubnet('fec0::', 10, 'ipv6'); // site-local (deprecated, still routed by some)
  list.addSubnet('ff00::', 8, 'ipv6'); // multicast
  return list;
})();

/** Whether an IP address is one a download may reach without the operator allowing its host. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (!family) throw new Error(`${address} is not an IP address`);
  return !NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export async function readUpload(url: string, publicDir: string, o: ReadUploadOptions = {}): Promise<Buffer> {
  const maxBytes = o.maxBytes ?? MAX_UPLOAD_BYTES;
  if (/^https?:\/\//i.test(url)) return download(url, maxBytes, o.timeoutMs ?? 30_000, o.allowHosts ?? []);
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

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** The DNS lookup of a connection, refusing non-public answers: the check is on the address connected to. */
function guardedLookup(host: string): net.LookupFunction {
  return (hostname, options, callback) =>
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      const cb = callback as (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void;
      if (err) return cb(err, '');
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      if (refused) return cb(notPublic(host, refused.address), '');
      if (options.all) return cb(null, addresses);
      cb(null, addresses[0].address, addresses[0].family);
    });
}

const notPublic = (host: string, address: string) =>
  new Error(
    `${host === address ? `${host} is` : `${host} resolves to ${address},`} a loopback, private or link-local address; allow the host in the altbridge config \`remoteHosts\` (ALTBRIDGE_REMOTE_HOSTS) if it is meant`,
  );

/** One GET of `url`, refused before connecting when its host is not allowed; the answer's headers. */
function get(url: URL, allowHosts: readonly string[], signal: AbortSignal): Promise<http.IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${url.href}: only http(s) URLs are downloaded`);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = allowHosts.some((h) => h.toLowerCase() === host);
  // An IP literal is connected to without a lookup: checked here.
  if (!allowed && net.isIP(host) && !isPublicAddress(host)) throw notPublic(host, host);
  return new Promise((resolve, reject) => {
    const options: http.RequestOptions = { signal, agent: false, lookup: allowed ? undefined : guardedLookup(host) };
    const req = (url.protocol === 'https:' ? https : http).get(url, options, resolve);
    req.on('error', reject);
  });
}

async function download(url: string, maxBytes: number, timeoutMs: number, allowHosts: readonly string[]): Promise<Buffer> {
  const controller = new AbortController();
  const timeout = new Error(`fetching ${url}: no answer in ${timeoutMs} ms`);
  const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
  try {
    let target = new URL(url);
    for (let hops = 0; ; hops++) {
      const res = await get(target, allowHosts, controller.signal);
      const status = res.statusCode ?? 0;
      if (REDIRECT.has(status) && res.headers.location) {
        res.destroy();
        if (hops === MAX_REDIRECTS) throw new Error(`fetching ${url}: more than ${MAX_REDIRECTS} redirects`);
        target = new URL(res.headers.location, target);
        continue;
      }
      if (status < 200 || status > 299) throw new Error(`fetching ${target.href}: HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd());
      const tooLarge = (n: number) => new Error(`fetching ${target.href}: ${n} bytes is over the ${maxBytes}-byte limit`);
      const length = Number(res.headers['content-length'] ?? 0);
      if (length > maxBytes) throw tooLarge(length);
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        total += chunk.byteLength;
        if (total > maxBytes) throw tooLarge(total);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    }
  } catch (err) {
    throw controller.signal.aborted && controller.signal.reason === timeout ? timeout : err;
  } finally {
    // Also ends a transfer whose body was left unread (a refusal above).
    controller.abort();
    clearTimeout(timer);
  }
}
