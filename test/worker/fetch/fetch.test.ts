/**
 * `models fetch` and `corpus fetch` end to end against a local server: SHA256SUMS checks, pinned
 * hashes, atomic placement, nothing left behind on a wrong hash, resume after an interruption,
 * one-line errors.
 */
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readCorpus } from '../../../worker/corpus/read';
import { DownloadError } from '../../../worker/fetch/download';
import { fetchModel } from '../../../worker/fetch/fetch-model';
import { CORPUS_SOURCES, MODEL_SOURCES } from '../../../worker/fetch/sources';
import { closedPort, makeZip, serve, TestServer } from './helpers';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'altbridge.js');
const CLIP_FILES = MODEL_SOURCES['clip-vit-b32'].files.map((f) => f.path);

/** The CLI in a child process, asynchronously: the test server lives in this process. */
function cli(args: string[], env: Record<string, string>, cwd?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ALTBRIDGE_MIRROR: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const errors = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('altbridge:'));
const everything = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : []);

let server: TestServer;
let models: string;
let files: Record<string, Buffer>;

beforeEach(async () => {
  files = Object.fromEntries(CLIP_FILES.map((f, i) => [f, crypto.randomBytes(20_000 + i)]));
  const sums = Object.entries(files)
    .map(([f, b]) => `${sha(b)}  ${f}\n`)
    .join('');
  server = await serve({ ...files, SHA256SUMS: sums });
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-models-'));
});
afterEach(async () => {
  await server.close();
  fs.rmSync(models, { recursive: true, force: true });
});

test('models fetch clip-vit-b32 --from a mirror with SHA256SUMS places the checked files and says what next', async () => {
  const r = await cli(['models', 'fetch', 'clip-vit-b32', '--from', server.url], { ALTBRIDGE_MODELS: models });
  expect(r.stderr).not.toMatch(/altbridge:/);
  expect(r.status).toBe(0);
  const dir = path.join(models, 'downloads', 'clip-vit-b32');
  for (const [f, b] of Object.entries(files)) {
    expect(fs.readFileSync(path.join(dir, f)).equals(b)).toBe(true);
    expect(r.stdout).toContain(`${sha(b)}  ${f}  0.0 MB  checked against: SHA256SUMS`);
  }
  expect(r.stdout).toContain(`next: npx altbridge models import-clip ${dir} --name clip-vit-b32`);
  const record = JSON.parse(fs.readFileSync(path.join(dir, 'FETCHED.json'), 'utf8'));
  expect(record.baseUrl).toBe(server.url);
  expect(record.files['onnx/vision_model.onnx']).toEqual({ sha256: sha(files['onnx/vision_model.onnx']), bytes: 20_000, checked: 'SHA256SUMS' });
  expect(everything(models)).toEqual(['downloads', 'downloads/clip-vit-b32', ...[...CLIP_FILES, 'FETCHED.json', 'onnx'].map((f) => `downloads/clip-vit-b32/${f}`)].sort());

  const again = await cli(['models', 'fetch', 'clip-vit-b32', '--from', server.url], { ALTBRIDGE_MODELS: models });
  expect(again.status).toBe(1);
  expect(again.stderr).toBe(`altbridge: ${dir} already exists; pass --force to replace it\n`);
  expect((await cli(['models', 'fetch', 'clip-vit-b32', '--from', server.url, '--force'], { ALTBRIDGE_MODELS: models })).status).toBe(0);
});

test('a file whose hash does not match SHA256SUMS is rejected and nothing is left in models/', async () => {
  await server.close();
  const sums = Object.entries(files)
    .map(([f, b]) => `${f === 'tokenizer.json' ? '0'.repeat(64) : sha(b)}  ${f}\n`)
    .join('');
  server = await serve({ ...files, SHA256SUMS: sums });
  const r = await cli(['models', 'fetch', 'clip-vit-b32', '--from', server.url], { ALTBRIDGE_MODELS: models });
  expect(r.status).toBe(1);
  expect(errors(r.stderr)).toEqual([`altbridge: ${server.url}tokenizer.json has the wrong sha256: expected ${'0'.repeat(64)}, got ${sha(files['tokenizer.json'])}; the download was deleted`]);
  expect(everything(models)).toEqual([]);
});

test('an unreachable host gives one line that points at --from, and leaves nothing', async () => {
  const port = await closedPort();
  const refused = await cli(['models', 'fetch', 'clip-vit-b32', '--from', `http://127.0.0.1:${port}/`], { ALTBRIDGE_MODELS: models });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(new RegExp(`^altbridge: cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): this host has no internet access\\? .*--from URL[^\\n]*\\n$`));
  const unknown = await cli(['models', 'fetch', 'clip-vit-b32'], { ALTBRIDGE_MODELS: models, ALTBRIDGE_MIRROR: 'http://no-such-host.invalid/mirror' });
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toMatch(/^altbridge: cannot reach no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\): .*--from URL[^\n]*\n$/);
  expect(everything(models)).toEqual([]);
});

test('an interrupted fetch keeps its files out of place, and a rerun (even by another process) resumes', async () => {
  const dest = path.join(models, 'clip');
  server.cutOnce.add('tokenizer.json');
  const err = await fetchModel('clip-vit-b32', { from: server.url, out: dest }).then(
    () => null,
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  expect(err?.message).toMatch(/broke off after .* \(files so far kept in .*clip\.tmp-\d+; the same command resumes\)$/);
  expect(fs.existsSync(dest)).toBe(false);
  // As if a process that died had left it.
  fs.renameSync(`${dest}.tmp-${process.pid}`, `${dest}.tmp-999999999`);
  const before = server.seen.length;
  const got = await fetchModel('clip-vit-b32', { from: server.url, out: dest });
  const half = Math.floor(files['tokenizer.json'].length / 2);
  expect(server.seen.slice(before)).toEqual([
    { path: 'SHA256SUMS', range: undefined },
    { path: 'tokenizer.json', range: `bytes=${half}-` },
    { path: 'preprocessor_config.json', range: undefined },
    { path: 'config.json', range: undefined },
  ]);
  expect(got.files.every((f) => f.checked === 'SHA256SUMS')).toBe(true);
  for (const [f, b] of Object.entries(files)) expect(fs.readFileSync(path.join(dest, f)).equals(b)).toBe(true);
  expect(fs.readdirSync(models)).toEqual(['clip']);
});

/** A COCO captions file. */
const coco = (captions: string[]) => JSON.stringify({ images: [], annotations: captions.map((caption, i) => ({ image_id: i, id: i, caption })) });

/** A small annotations zip, served alone (its size and hash are not the real archive's). */
async function serveCoco(): Promise<Buffer> {
  const zip = makeZip({
    'annotations/instances_val2017.json': '{}',
    'annotations/captions_train2017.json': coco(['A man riding a horse.', '  A dog\non a   couch \n', '']),
    'annotations/captions_val2017.json': coco(['Two cats sleeping.']),
  });
  await server.close();
  server = await serve({ 'annotations_trainval2017.zip': zip });
  return zip;
}

test('corpus fetch coco-captions --from a mirror with --sha256 converts the captions to text in corpora/coco-captions', async () => {
  const zip = await serveCoco();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-corpus-'));
  const r = await cli(['corpus', 'fetch', 'coco-captions', '--from', server.url, '--sha256', sha(zip).toUpperCase()], {}, cwd);
  expect(r.stderr).not.toMatch(/note:|altbridge:/);
  expect(r.status).toBe(0);
  const dir = path.join(fs.realpathSync(cwd), 'corpora', 'coco-captions');
  expect(r.stdout).toContain(`into ${dir}: train.txt (2 captions), val.txt (1 caption)`);
  expect(r.stdout).toContain(`${sha(zip)}  annotations_trainval2017.zip  0.0 MB  checked against: pinned`);
  expect(fs.readFileSync(path.join(dir, 'train.txt'), 'utf8')).toBe('A man riding a horse.\nA dog on a couch\n');
  expect(fs.readFileSync(path.join(dir, 'val.txt'), 'utf8')).toBe('Two cats sleeping.\n');
  expect(fs.readdirSync(dir).sort()).toEqual(['FETCHED.json', 'train.txt', 'val.txt']);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'FETCHED.json'), 'utf8')).lines).toEqual({ 'train.txt': 2, 'val.txt': 1 });
  expect((await readCorpus(path.join(dir, 'train.txt'), { heldOut: 0 })).train).toEqual(['A man riding a horse.', 'A dog on a couch']);
  fs.rmSync(cwd, { recursive: true, force: true });
});

test('the COCO archive is pinned (size and sha256, https): a mirror serving another file is refused, printing both', async () => {
  expect(CORPUS_SOURCES['coco-captions'].archive).toEqual({ path: 'annotations_trainval2017.zip', bytes: 252_907_541, sha256: '113a836d90195ee1f884e704da6304dfaaecff1f023f49b6ca93c4aaae470268' });
  for (const s of [...Object.values(CORPUS_SOURCES), ...Object.values(MODEL_SOURCES)]) expect(s.baseUrl).toMatch(/^https:\/\//);
  const zip = await serveCoco();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-corpus-'));
  const url = `${server.url}annotations_trainval2017.zip`;
  const unpinned = await cli(['corpus', 'fetch', 'coco-captions', '--from', server.url], {}, cwd);
  expect(unpinned.status).toBe(1);
  expect(errors(unpinned.stderr)).toEqual([
    `altbridge: ${url} has the wrong size: expected 252907541 bytes, got ${zip.length} (sha256 ${sha(zip)}); the download was deleted; if this mirror serves another file on purpose, pin it with --sha256 HEX`,
  ]);
  const wrong = await cli(['corpus', 'fetch', 'coco-captions', '--from', server.url, '--sha256', '0'.repeat(64)], {}, cwd);
  expect(wrong.status).toBe(1);
  expect(errors(wrong.stderr)).toEqual([`altbridge: ${url} has the wrong sha256: expected ${'0'.repeat(64)}, got ${sha(zip)}; the download was deleted`]);
  const malformed = await cli(['corpus', 'fetch', 'coco-captions', '--sha256', 'abc'], {}, cwd);
  expect(malformed.stderr).toBe('altbridge: corpus fetch: --sha256 takes 64 hex digits, got "abc"\n');
  expect(everything(cwd)).toEqual([]);
  fs.rmSync(cwd, { recursive: true, force: true });
});
