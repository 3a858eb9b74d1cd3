/**
 * The upload path guard (server/src/read-upload.ts), without Strapi: a stored file URL reads only
 * files inside the public folder however it is written, and a download over the size limit is
 * refused, whether the server announces its length or streams it in chunks. Downloads reach no
 * loopback / private / link-local address, directly or by a redirect, unless the host is allowed:
 * the test server is on loopback, so the tests allow 127.0.0.1 by name where they download.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { isPublicAddress, MAX_REDIRECTS, MAX_UPLOAD_BYTES, readUpload } from '../../server/src/read-upload';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-read-upload-'));
const pub = path.join(tmp, 'public');
const secret = path.join(tmp, 'secret.txt');
const image = Buffer.from('not really a png, but bytes to compare');

let server: http.Server;
let port: number;
let base: string;
/** The test server's host, allowed by name (it is loopback). */
const allowHosts = ['127.0.0.1'];
/** Connections the server saw closed before it finished its answer (the reader hung up). */
const hungUp: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(path.join(pub, 'uploads'), { recursive: true });
  fs.writeFileSync(path.join(pub, 'uploads', 'x.png'), image);
  fs.writeFileSync(secret, 'outside the public folder');
  // A sibling whose name starts with the public folder's: a plain prefix check would let it through.
  fs.mkdirSync(`${pub}-evil`);
  fs.writeFileSync(path.join(`${pub}-evil`, 'x.png'), 'sibling');
  fs.symlinkSync(secret, path.join(pub, 'uploads', 'link.png'));

  server = http.createServer((req, res) => {
    res.on('close', () => {
      if (res.writableFinished) return;
      hungUp.push(req.url!);
      server.emit('hung-up');
    });
    if (req.url === '/small.png') return res.end(image);
    const hop = /^\/hop\/(\d+)$/.exec(req.url!);
    if (hop) return res.writeHead(302, { location: Number(hop[1]) > 0 ? `/hop/${Number(hop[1]) - 1}` : '/small.png' }).end();
    if (req.url === '/to-localhost') return res.writeHead(301, { location: `http://localhost:${port}/small.png` }).end();
    if (req.url === '/to-metadata') return res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/to-file') return res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    if (req.url === '/announced') {
      // Claims more than the limit and never sends it: the reader must refuse on the header alone.
      res.writeHead(200, { 'content-length': String(MAX_UPLOAD_BYTES + 1) });
      return res.write('x');
    }
    if (req.url === '/sized') return res.end(Buffer.alloc(8192, 1));
    if (req.url === '/chunked') {
      // No Content-Length: 1 KB chunks for as long as the reader keeps reading.
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      const send = () => res.write(Buffer.alloc(1024, 2), () => !res.destroyed && setImmediate(send));
      return send();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('local URLs', () => {
  test('a normal /uploads URL reads the file', async () => {
    expect(await readUpload('/uploads/x.png', pub)).toEqual(image);
  });

  test('a query string or fragment is not part of the path', async () => {
    expect(await readUpload('/uploads/x.png?updatedAt=123', pub)).toEqual(image);
    expect(await readUpload('/uploads/x.png#top', pub)).toEqual(image);
    // Nothing after "?" is resolved, so ../ there cannot climb out.
    expect(await readUpload('/uploads/x.png?/../../secret.txt', pub)).toEqual(image);
  });

  test.each([
    ['../', '/uploads/../../secret.txt'],
    ['%2e%2e', '/uploads/%2e%2e/%2e%2e/secret.txt'],
    ['%2E%2E with an encoded slash', '/uploads/%2E%2E%2F%2E%2E%2Fsecret.txt'],
    ['a sibling folder with the same prefix', '/../public-evil/x.png'],
    ['the public folder itself', '/'],
    ['a symbolic link to a file outside', '/uploads/link.png'],
  ])('%s is refused: %s', async (_, url) => {
    await expect(readUpload(url, pub)).rejects.toThrow(/points outside the public folder/);
  });

  test('an absolute filesystem path is taken inside the public folder, never from /', async () => {
    await expect(readUpload(secret, pub)).rejects.toThrow(/ENOENT/);
    // The same path under the public folder is what it names.
    fs.mkdirSync(path.join(pub, path.dirname(secret)), { recursive: true });
    fs.writeFileSync(path.join(pub, secret), 'inside');
    expect((await readUpload(secret, pub)).toString()).toBe('inside');
  });

  test('other schemes, bad percent-encoding and NUL are refused', async () => {
    await expect(readUpload(`file://${secret}`, pub)).rejects.toThrow(/only http\(s\) URLs and paths under the public folder/);
    await expect(readUpload('/uploads/%E0%A4%A.png', pub)).rejects.toThrow(/not valid percent-encoding/);
    await expect(readUpload('/uploads/x.png%00.txt', pub)).rejects.toThrow(/NUL/);
  });

  test('a local file over the size limit is refused', async () => {
    await expect(readUpload('/uploads/x.png', pub, { maxBytes: image.length - 1 })).rejects.toThrow(`${image.length} bytes is over the ${image.length - 1}-byte limit`);
  });
});

describe('http URLs', () => {
  test('a file is downloaded', async () => {
    expect(await readUpload(`${base}/small.png`, pub, { allowHosts })).toEqual(image);
  });

  test('a file whose Content-Length is over the default limit is refused without reading it', async () => {
    await expect(readUpload(`${base}/announced`, pub, { allowHosts })).rejects.toThrow(`${MAX_UPLOAD_BYTES + 1} bytes is over the ${MAX_UPLOAD_BYTES}-byte limit`);
  });

  test('a file over a given limit is refused', async () => {
    await expect(readUpload(`${base}/sized`, pub, { maxBytes: 4096, allowHosts })).rejects.toThrow('8192 bytes is over the 4096-byte limit');
    expect(await readUpload(`${base}/sized`, pub, { maxBytes: 8192, allowHosts })).toHaveLength(8192);
  });

  test('a chunked answer with no length is cut off at the limit and the connection closed', async () => {
    await expect(readUpload(`${base}/chunked`, pub, { maxBytes: 4096, allowHosts })).rejects.toThrow(/bytes is over the 4096-byte limit/);
    // Without the hang-up the server would stream forever and this test time out.
    while (!hungUp.includes('/chunked')) await new Promise((r) => server.once('hung-up', r));
  }, 10_000);

  test('an HTTP error is reported with its status', async () => {
    await expect(readUpload(`${base}/missing.png`, pub, { allowHosts })).rejects.toThrow(/HTTP 404/);
  });
});

describe('where a download may go', () => {
  test('a loopback server is refused unless its host is allowed', async () => {
    await expect(readUpload(`${base}/small.png`, pub)).rejects.toThrow(
      '127.0.0.1 is a loopback, private or link-local address; allow the host in the altbridge config `remoteHosts` (ALTBRIDGE_REMOTE_HOSTS) if it is meant',
    );
    // Allowing another host does not allow this one.
    await expect(readUpload(`${base}/small.png`, pub, { allowHosts: ['media.example.com'] })).rejects.toThrow(/loopback, private or link-local/);
  });

  test('a host name is checked by the addresses it resolves to', async () => {
    await expect(readUpload(`http://localhost:${port}/small.png`, pub)).rejects.toThrow(/localhost resolves to (127\.0\.0\.1|::1), a loopback/);
    expect(await readUpload(`http://LOCALHOST:${port}/small.png`, pub, { allowHosts: ['localhost'] })).toEqual(image);
  });

  test.each([
    ['IPv4 private', 'http://10.1.2.3/x.png'],
    ['IPv4 private (172.16/12)', 'http://172.20.0.1/x.png'],
    ['IPv4 private (192.168/16)', 'http://192.168.1.1/x.png'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/'],
    ['0.0.0.0', 'http://0.0.0.0/x.png'],
    ['loopback written as a number', 'http://2130706433/x.png'],
    ['IPv6 loopback', 'http://[::1]/x.png'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/x.png'],
    ['IPv6 unique-local', 'http://[fd12:3456::1]/x.png'],
    ['IPv6 link-local', 'http://[fe80::1]/x.png'],
  ])('%s is refused before connecting: %s', async (_, url) => {
    await expect(readUpload(url, pub, { timeoutMs: 2000 })).rejects.toThrow(/loopback, private or link-local address/);
  });

  test('public addresses are allowed, private ones are not', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '64:ff9b::808:808']) expect([a, isPublicAddress(a)]).toEqual([a, true]);
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '::',
      '::1',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      'fc00::1',
      'fdff::1',
      'fe80::1',
      'ff02::1',
    ]) {
      expect([a, isPublicAddress(a)]).toEqual([a, false]);
    }
  });

  test('redirects are followed hop by hop, each hop checked', async () => {
    expect(await readUpload(`${base}/hop/2`, pub, { allowHosts })).toEqual(image);
    // From an allowed host to a loopback name that is not allowed.
    await expect(readUpload(`${base}/to-localhost`, pub, { allowHosts })).rejects.toThrow(/localhost resolves to .*, a loopback/);
    await expect(readUpload(`${base}/to-metadata`, pub, { allowHosts })).rejects.toThrow(/^169\.254\.169\.254 is a loopback, private or link-local address/);
    await expect(readUpload(`${base}/to-file`, pub, { allowHosts })).rejects.toThrow('file:///etc/passwd: only http(s) URLs are downloaded');
  });

  test(`more than ${MAX_REDIRECTS} redirects are refused`, async () => {
    expect(await readUpload(`${base}/hop/${MAX_REDIRECTS - 1}`, pub, { allowHosts })).toEqual(image);
    await expect(readUpload(`${base}/hop/${MAX_REDIRECTS}`, pub, { allowHosts })).rejects.toThrow(`more than ${MAX_REDIRECTS} redirects`);
  });
});
