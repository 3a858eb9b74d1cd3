/**
 * The upload path guard (server/src/read-upload.ts), without Strapi: a stored file URL reads only
 * files inside the public folder however it is written, and a download over the size limit is
 * refused, whether the server announces its length or streams it in chunks.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { MAX_UPLOAD_BYTES, readUpload } from '../../server/src/read-upload';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-read-upload-'));
const pub = path.join(tmp, 'public');
const secret = path.join(tmp, 'secret.txt');
const image = Buffer.from('not really a png, but bytes to compare');

let server: http.Server;
let base: string;
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
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    expect(await readUpload(`${base}/small.png`, pub)).toEqual(image);
  });

  test('a file whose Content-Length is over the default limit is refused without reading it', async () => {
    await expect(readUpload(`${base}/announced`, pub)).rejects.toThrow(`${MAX_UPLOAD_BYTES + 1} bytes is over the ${MAX_UPLOAD_BYTES}-byte limit`);
  });

  test('a file over a given limit is refused', async () => {
    await expect(readUpload(`${base}/sized`, pub, { maxBytes: 4096 })).rejects.toThrow('8192 bytes is over the 4096-byte limit');
    expect(await readUpload(`${base}/sized`, pub, { maxBytes: 8192 })).toHaveLength(8192);
  });

  test('a chunked answer with no length is cut off at the limit and the connection closed', async () => {
    await expect(readUpload(`${base}/chunked`, pub, { maxBytes: 4096 })).rejects.toThrow(/bytes is over the 4096-byte limit/);
    // Without the hang-up the server would stream forever and this test time out.
    while (!hungUp.includes('/chunked')) await new Promise((r) => server.once('hung-up', r));
  }, 10_000);

  test('an HTTP error is reported with its status', async () => {
    await expect(readUpload(`${base}/missing.png`, pub)).rejects.toThrow(/HTTP 404/);
  });
});
