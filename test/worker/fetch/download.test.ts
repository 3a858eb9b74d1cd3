/** download(): resume, servers that ignore Range, redirects (never https to http), hash and size checks, and one-line errors. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { download, DownloadError } from '../../../worker/fetch/download';
import { closedPort, serve, TEST_CERT, TestServer } from './helpers';

const body = crypto.randomBytes(300_001);
const sha = crypto.createHash('sha256').update(body).digest('hex');
let server: TestServer;
let dir: string;

beforeEach(async () => {
  server = await serve({ 'data.bin': body });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-download-'));
});
afterEach(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: Error) => err,
  );

test('a download cut off half-way resumes with a Range request and ends byte-identical', async () => {
  const dest = path.join(dir, 'data.bin');
  server.cutOnce.add('data.bin');
  const err = await failure(download(`${server.url}data.bin`, dest, { sha256: sha }));
  expect(err).toBeInstanceOf(DownloadError);
  expect((err as DownloadError).kind).toBe('interrupted');
  expect(err.message).toMatch(/broke off after \d+ of 300001 bytes.*run the same command again to resume/);
  const half = Math.floor(body.length / 2);
  expect(fs.statSync(`${dest}.part`).size).toBe(half);
  expect(fs.existsSync(dest)).toBe(false);

  const progress: number[] = [];
  const got = await download(`${server.url}data.bin`, dest, { sha256: sha, bytes: body.length, onProgress: (n) => progress.push(n) });
  expect(server.seen[1].range).toBe(`bytes=${half}-`);
  expect(got).toEqual({ sha256: sha, bytes: body.length, resumedFrom: half });
  expect(fs.readFileSync(dest).equals(body)).toBe(true);
  expect(fs.existsSync(`${dest}.part`)).toBe(false);
  expect(progress[0]).toBe(half);
  expect(progress[progress.length - 1]).toBe(body.length);
});

test('a server that ignores Range (200, whole file) still gives the right file', async () => {
  const dest = path.join(dir, 'data.bin');
  server.cutOnce.add('data.bin');
  await failure(download(`${server.url}data.bin`, dest));
  server.ignoreRange = true;
  const got = await download(`${server.url}data.bin`, dest, { sha256: sha });
  expect(server.seen[1].range).toMatch(/^bytes=\d+-$/);
  expect(got.sha256).toBe(sha);
  expect(fs.readFileSync(dest).equals(body)).toBe(true);
});

test('a .part that is already whole is finished from the 416 answer', async () => {
  const dest = path.join(dir, 'data.bin');
  fs.writeFileSync(`${dest}.part`, body);
  expect((await download(`${server.url}data.bin`, dest, { sha256: sha })).sha256).toBe(sha);
  expect(fs.readFileSync(dest).equals(body)).toBe(true);
});

test('redirects are followed', async () => {
  const dest = path.join(dir, 'data.bin');
  await download(`${server.url}moved/data.bin`, dest, { sha256: sha });
  expect(server.seen.map((s) => s.path)).toEqual(['moved/data.bin', 'data.bin']);
  expect(fs.readFileSync(dest).equals(body)).toBe(true);
});

test('a redirect from https is followed to https only: one to http is refused before it is requested', async () => {
  const secure = await serve({ 'data.bin': body }, true);
  // download() uses the global agent, which other test files share: trusted for this test only.
  https.globalAgent.options.ca = TEST_CERT;
  try {
    secure.redirects.set('to-https', `${secure.url}data.bin`);
    secure.redirects.set('to-http', `${server.url}data.bin`);
    await download(`${secure.url}to-https`, path.join(dir, 'a'), { sha256: sha });
    expect(fs.readFileSync(path.join(dir, 'a')).equals(body)).toBe(true);
    const err = await failure(download(`${secure.url}to-http`, path.join(dir, 'b')));
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.message).toBe(`${secure.url}to-http redirects to ${server.url}data.bin: refusing to leave https`);
    expect(server.seen).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['a']);
  } finally {
    delete https.globalAgent.options.ca;
    await secure.close();
  }
});

test('a wrong hash or size is rejected, naming expected and got, and leaves nothing behind', async () => {
  const dest = path.join(dir, 'data.bin');
  const wrong = '0'.repeat(64);
  const err = await failure(download(`${server.url}data.bin`, dest, { sha256: wrong }));
  expect(err.message).toBe(`${server.url}data.bin has the wrong sha256: expected ${wrong}, got ${sha}; the download was deleted`);
  const bad = await failure(download(`${server.url}data.bin`, dest, { bytes: 12 }));
  expect(bad.message).toMatch(`wrong size: expected 12 bytes, got 300001 (sha256 ${sha})`);
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('HTTP errors and unreachable hosts give one actionable line', async () => {
  const dest = path.join(dir, 'x');
  const notFound = await failure(download(`${server.url}missing.bin`, dest));
  expect(notFound.message).toBe(`HTTP 404 Not Found for ${server.url}missing.bin`);
  expect((notFound as DownloadError).status).toBe(404);

  const port = await closedPort();
  const refused = await failure(download(`http://127.0.0.1:${port}/x`, dest));
  expect(refused.message).toMatch(new RegExp(`^cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): .*pass --from URL of a mirror`));
  const unknown = await failure(download('http://no-such-host.invalid/x', dest));
  expect(unknown.message).toMatch(/^cannot reach no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\): .*--from URL/);
  for (const e of [notFound, refused, unknown]) expect(e.message).not.toContain('\n');
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a stalled connection times out, before the answer or mid-transfer', async () => {
  // Never answers /silent; sends half of /stall and then nothing.
  const silent = http.createServer((req, res) => {
    if (req.url === '/stall') res.writeHead(200, { 'content-length': '10' }).write('abcde');
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
  const before = await failure(download(`${base}silent`, path.join(dir, 'x'), { stallMs: 200 }));
  expect(before.message).toMatch(/^cannot reach 127\.0\.0\.1:\d+ \(ETIMEDOUT\)/);
  const during = await failure(download(`${base}stall`, path.join(dir, 'y'), { stallMs: 200 }));
  expect(during.message).toMatch(/broke off after 5 of 10 bytes .*resume/);
  expect(fs.readFileSync(path.join(dir, 'y.part'), 'utf8')).toBe('abcde');
  silent.closeAllConnections();
  silent.close();
});
