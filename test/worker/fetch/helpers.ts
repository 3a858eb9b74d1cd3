/** A local HTTP(S) file server with switchable misbehaviour, and a tiny ZIP writer, for the fetch tests. */
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as zlib from 'zlib';

export interface TestServer {
  /** Base URL ending in '/'. */
  url: string;
  /** Path and Range header of every request, in order. */
  seen: { path: string; range: string | undefined }[];
  /** Paths whose next response is cut off (socket destroyed) after half the bytes. */
  cutOnce: Set<string>;
  /** Answer 200 with the whole file even when asked for a range. */
  ignoreRange: boolean;
  /** Path -> the URL it answers a 302 to. */
  redirects: Map<string, string>;
  close(): Promise<void>;
}

/**
 * A self-signed certificate for 127.0.0.1 (valid 2000-2100) and its key, for tests only: a client
 * trusts it by `ca`, e.g. in https.globalAgent.options.
 */
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBWTCCAQCgAwIBAgICEAAwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJMTI3LjAu
MC4xMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAUMRIwEAYDVQQD
DAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS2gqtYvHgt+3om
OhNUwp7zCDFGXuHSK/A/HA/4dbuHQMwg0WAK6PzVG7/Q0B+i6RmZRPAg+LCIP7MB
KBYrq5Zuo0AwPjAPBgNVHREECDAGhwR/AAABMAwGA1UdEwEB/wQCMAAwHQYDVR0O
BBYEFGP13L7usrxU90bNAhh6Nj7QKFfyMAoGCCqGSM49BAMCA0cAMEQCIHkPVWlb
QMMoXR0fhtbJU2hVxUqLcn2BgMl4WiXHuZ6LAiB0vxrYuWjl01gl7b+yZuwI850G
lL6AtsbS+oosShc5Fg==
-----END CERTIFICATE-----
`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRwk2x9rJ3ec66Iiy
8inigZSc3JKkm98NmbV7oNdsOs+hRANCAAS2gqtYvHgt+3omOhNUwp7zCDFGXuHS
K/A/HA/4dbuHQMwg0WAK6PzVG7/Q0B+i6RmZRPAg+LCIP7MBKBYrq5Zu
-----END PRIVATE KEY-----
`;

/** Serves `files` over HTTP, or over HTTPS with TEST_CERT when `tls`. */
export async function serve(files: Record<string, Buffer | string>, tls = false): Promise<TestServer> {
  const handler: http.RequestListener = (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    t.seen.push({ path, range: req.headers.range });
    const location = path.startsWith('moved/') ? `/${path.slice('moved/'.length)}` : t.redirects.get(path);
    if (location) {
      res.writeHead(302, { location }).end();
      return;
    }
    const body = files[path] === undefined ? undefined : Buffer.from(files[path]);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = m && !t.ignoreRange ? Number(m[1]) : 0;
    if (from >= body.length && m && !t.ignoreRange) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const headers = { 'content-length': String(body.length - from), ...(m && !t.ignoreRange ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) };
    res.writeHead(m && !t.ignoreRange ? 206 : 200, headers);
    if (t.cutOnce.delete(path)) {
      // Half the bytes, time for the client to read them, then a dropped connection.
      res.write(body.subarray(from, from + Math.floor((body.length - from) / 2)), () => setTimeout(() => req.socket.destroy(), 100));
      return;
    }
    res.end(body.subarray(from));
  };
  const server = tls ? https.createServer({ key: TEST_KEY, cert: TEST_CERT }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const t: TestServer = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen: [],
    cutOnce: new Set(),
    ignoreRange: false,
    redirects: new Map(),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return t;
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A ZIP archive of the given members (deflated, or stored when `stored`), CRCs by zlib. */
export function makeZip(members: Record<string, Buffer | string>, stored = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(members)) {
    const data = Buffer.from(content);
    const packed = stored ? data : zlib.deflateRawSync(data);
    const nameBuf = Buffer.from(name);
    const fields = (b: Buffer, at: number) => {
      b.writeUInt16LE(20, at); // version needed
      b.writeUInt16LE(0, at + 2); // flags
      b.writeUInt16LE(stored ? 0 : 8, at + 4);
      b.writeUInt32LE(0, at + 6); // time, date
      b.writeUInt32LE(zlib.crc32(data), at + 10);
      b.writeUInt32LE(packed.length, at + 14);
      b.writeUInt32LE(data.length, at + 18);
      b.writeUInt16LE(nameBuf.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    fields(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
