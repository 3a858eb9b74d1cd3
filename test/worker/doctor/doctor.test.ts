/**
 * `altbridge doctor`: a healthy host passes, then one thing is broken at a time and the report
 * names it (and only it). Uses this machine's Redis and PostgreSQL (127.0.0.1, trust auth).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { updateBundle } from '../../../worker/bundle/write';
import { CUDA_LIBRARIES, cudaLibrariesCheck, parseLinkerCache } from '../../../worker/doctor/checks';
import { Check, Report, renderReport, runDoctor } from '../../../worker/doctor/report';
import { redact } from '../../../worker/doctor/services';
import { freePort } from '../../helpers/poll';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'altbridge.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-doctor-'));
const models = path.join(root, 'models');
const BUNDLE = 'bundle:random-tiny@0.0.1';
const saved = { ...process.env };
let closedPort = 0;

/** A local server that answers every first message with `reply` (or never, when null), for as long as `use` runs. */
async function fakeServer<R>(reply: Buffer | null, use: (url: string) => Promise<R>): Promise<R> {
  const server = net.createServer((s) => s.once('data', () => reply && s.write(reply)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  } finally {
    server.close();
    server.unref();
  }
}

/** The configuration of a healthy CPU host: one random bundle, which is the default. */
const env = (dir = models): NodeJS.ProcessEnv => ({ ALTBRIDGE_MODELS: dir, ALTBRIDGE_BUNDLE: 'random-tiny', ALTBRIDGE_PROVIDERS: 'cpu', ALTBRIDGE_CACHE: path.join(root, 'cache') });

/** A copy of the models folder to break. */
function copyModels(name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(models, dir, { recursive: true });
  return dir;
}

const failed = (r: Report) => r.checks.filter((c) => c.status === 'fail').map((c) => c.name);
const named = (r: Report, name: string): Check => {
  const c = r.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in ${r.checks.map((x) => x.name)}`);
  return c;
};

beforeAll(async () => {
  makeRandomBundle(path.join(models, 'random-tiny'), 'tiny', 1);
  closedPort = await freePort();
});
beforeEach(() => {
  for (const k of ['REDIS_URL', 'DATABASE_URL', 'LD_LIBRARY_PATH']) delete process.env[k];
  Object.assign(process.env, env());
});
afterEach(() => {
  process.env = { ...saved };
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('a healthy host: everything the configuration needs is there, CUDA libraries at most warn', async () => {
  const r = await runDoctor();
  expect(failed(r)).toEqual([]);
  expect(r.ok).toBe(true);
  for (const name of ['node', 'onnxruntime', 'configuration', 'provider:cpu', BUNDLE, 'default-bundle', 'disk', 'redis', 'postgresql']) expect(named(r, name).status).toBe('ok');
  expect(r.checks.filter((c) => c.status !== 'ok').every((c) => c.name === 'cuda-libraries')).toBe(true);
  expect(named(r, 'onnxruntime').detail).toMatch(/onnxruntime-node 1\.30\.0/);
  expect(named(r, 'redis').detail).toBe('redis://127.0.0.1:6379: PONG');
  expect(named(r, 'postgresql').detail).toMatch(/connected as "postgres" to database "postgres"/);
  const text = renderReport(r);
  expect(text).toMatch(/^ok {4}node +v\d+/m);
  expect(text).toMatch(/\nready: nothing the configuration needs is missing/);
});

test('a wrong Redis URL fails the redis check, naming the URL (password hidden)', async () => {
  const url = `redis://127.0.0.1:${closedPort}`;
  const r = await runDoctor({ redisUrl: url });
  expect(failed(r)).toEqual(['redis']);
  expect(r.ok).toBe(false);
  expect(named(r, 'redis').detail).toBe(`${url}: cannot connect to 127.0.0.1:${closedPort} (ECONNREFUSED)`);
  expect(named(r, 'redis').fix).toMatch(/REDIS_URL/);
  const withPassword = await runDoctor({ redisUrl: `redis://:hunter2@127.0.0.1:${closedPort}/2` });
  expect(named(withPassword, 'redis').detail).toMatch(/^redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/2: /);
  expect(JSON.stringify(withPassword)).not.toContain('hunter2');
  const auth = await runDoctor({ redisUrl: 'redis://:hunter2@127.0.0.1:6379' });
  expect(named(auth, 'redis').detail).toMatch(/answered ERR AUTH/);
  const silent = await fakeServer(null, (at) => runDoctor({ redisUrl: `redis://${at}`, timeoutMs: 300 }));
  expect(named(silent, 'redis').detail).toMatch(/: no answer from 127\.0\.0\.1:\d+ within 300 ms$/);
});

test('a PostgreSQL database that does not exist fails the postgresql check, naming it', async () => {
  const r = await runDoctor({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/altbridge_no_such_db' });
  expect(failed(r)).toEqual(['postgresql']);
  expect(named(r, 'postgresql').detail).toMatch(/database "altbridge_no_such_db" does not exist \(SQLSTATE 3D000\)/);
  const other = await runDoctor({ databaseUrl: 'postgresql://postgres@127.0.0.1/test' });
  expect(named(other, 'postgresql').detail).toMatch(/connected as "postgres" to database "test"/);
  // A server asking for a password is reachable; the doctor does not speak MD5 or SCRAM, so says the password is unchecked.
  const md5 = Buffer.from([0x52, 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4]);
  const asks = await fakeServer(md5, (at) => runDoctor({ databaseUrl: `postgres://app:secret@${at}/cms` }));
  expect(named(asks, 'postgresql')).toMatchObject({
    status: 'ok',
    detail: expect.stringMatching(/:\*\*\*@.*: reachable, asks for an MD5 password \(user "app", database "cms"; password not checked\)$/),
  });
});

test('redact hides query-string secrets and shows nothing of a URL that does not parse unambiguously', () => {
  expect(redact('redis://127.0.0.1:6379/2')).toBe('redis://127.0.0.1:6379/2');
  expect(redact('postgres://app:hunter2@db:5432/cms')).toBe('postgres://app:***@db:5432/cms');
  expect(redact('postgresql://db/cms?user=app&password=hunter2&sslmode=require')).toBe('postgresql://db/cms?user=app&password=***&sslmode=require');
  expect(redact('postgres://db/cms?sslpassword=hunter2&sslkey=%2Fk&token=hunter2&Client_Secret=hunter2&api_key=hunter2&x=1')).toBe(
    'postgres://db/cms?sslpassword=***&sslkey=***&token=***&Client_Secret=***&api_key=***&x=1',
  );
  // Unparsable (a port that is not a number), not a URL at all, and a password whose '/' split it
  // (host "app", port 1234, path "/hunter2@db/cms"): only the scheme is left.
  expect(redact('postgres://app:hunter2@db:port/cms')).toBe('<unparsable postgres URL>');
  expect(redact('app:hunter2@db')).toBe('<unparsable URL>');
  expect(redact('postgres://app:1234/hunter2@db/cms')).toBe('<unparsable postgres URL>');
});

test('the doctor prints no password given in a query string or in a URL that does not parse', async () => {
  const r = await runDoctor({
    databaseUrl: `postgres://app@127.0.0.1:${closedPort}/cms?password=hunter2`,
    redisUrl: `redis://:hunter2@127.0.0.1:${closedPort}x`,
  });
  expect(named(r, 'postgresql').detail).toBe(`postgres://app@127.0.0.1:${closedPort}/cms?password=***: cannot connect to 127.0.0.1:${closedPort} (ECONNREFUSED)`);
  expect(named(r, 'redis').detail).toMatch(/^<unparsable redis URL>: <unparsable redis URL> is not a URL \(percent-encode any '@'/);
  const split = await runDoctor({ databaseUrl: 'postgres://app:1234/hunter2@127.0.0.1/cms' });
  expect(named(split, 'postgresql').detail).toMatch(/^<unparsable postgres URL>: <unparsable postgres URL> is not a URL/);
  expect(JSON.stringify(r)).not.toContain('hunter2');
  expect(JSON.stringify(split)).not.toMatch(/hunter2|1234/);
});

test('a bundle file altered (a byte appended, or one changed) fails that bundle, naming the file', async () => {
  const appended = copyModels('appended');
  fs.appendFileSync(path.join(appended, 'random-tiny', 'decoder.safetensors'), Buffer.from([0]));
  process.env.ALTBRIDGE_MODELS = appended;
  const r = await runDoctor();
  expect(failed(r)).toEqual([BUNDLE]);
  expect(named(r, BUNDLE).detail).toMatch(/decoder\.safetensors has \d+ bytes, the manifest says \d+/);
  expect(named(r, BUNDLE).fix).toMatch(/reinstall random-tiny@0\.0\.1/);

  const changed = copyModels('changed');
  const vision = path.join(changed, 'random-tiny', 'clip', 'vision_model.onnx');
  const bytes = fs.readFileSync(vision);
  bytes[bytes.length - 1] ^= 1;
  fs.writeFileSync(vision, bytes);
  process.env.ALTBRIDGE_MODELS = changed;
  expect(named(await runDoctor(), BUNDLE).detail).toMatch(/vision_model\.onnx does not match its sha256/);
});

test('a bundle without ē_img, or CLIP only, is incomplete (warn); a missing default bundle fails', async () => {
  const dir = copyModels('incomplete');
  const means = path.join(dir, 'random-tiny');
  updateBundle(means, { 'means.safetensors': { tensors: { text_mean: { dtype: 'float32', shape: [16], data: new Float32Array(16) } } } });
  process.env.ALTBRIDGE_MODELS = dir;
  const r = await runDoctor();
  expect(named(r, BUNDLE)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^incomplete: no ē_img/), fix: expect.stringMatching(/images-mean/) });
  expect(r.ok).toBe(true);

  const manifestFile = path.join(means, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  delete m.decoder;
  delete m.diffusion;
  fs.writeFileSync(manifestFile, JSON.stringify(m));
  expect(named(await runDoctor(), BUNDLE)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^incomplete: .*CLIP only/) });

  process.env.ALTBRIDGE_BUNDLE = 'shapes-mini';
  const missing = await runDoctor();
  expect(failed(missing)).toEqual(['default-bundle']);
  expect(named(missing, 'default-bundle')).toMatchObject({ detail: expect.stringMatching(/bundle "shapes-mini" not found/), fix: expect.stringMatching(/ALTBRIDGE_BUNDLE/) });
});

// On a host with the CUDA provider installed this breakage is not one; the test is for CPU hosts.
const cudaInstalled = fs.existsSync(path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
(cudaInstalled ? test.skip : test)('cuda configured on a host without it fails provider:cuda with the fix; an unknown provider is named', async () => {
  process.env.ALTBRIDGE_PROVIDERS = 'cuda,cpu';
  const r = await runDoctor();
  expect(failed(r)).toEqual(expect.arrayContaining(['provider:cuda']));
  expect(failed(r).filter((n) => n !== 'provider:cuda' && n !== 'cuda-libraries')).toEqual([]);
  expect(named(r, 'provider:cuda').detail).toMatch(/^cannot start: .*libonnxruntime_providers_cuda\.so is not installed/);
  expect(named(r, 'provider:cuda').fix).toMatch(/npm install --onnxruntime-node-install=cuda12/);
  expect(named(r, 'provider:cpu').status).toBe('ok');

  process.env.ALTBRIDGE_PROVIDERS = 'bogus';
  const bogus = await runDoctor();
  expect(failed(bogus)).toEqual(['provider:bogus']);
  expect(named(bogus, 'provider:bogus').detail).toMatch(/has no provider "bogus" \(it knows cpu/);
});

// Lines of `ldconfig -p` on a GPU host with a CUDA 13 toolkit and cuDNN 9 (an H100 machine of this project's).
const CUDA13_HOST = `520 libs found in cache \`/etc/ld.so.cache'
\tlibcurand.so.10 (libc6,x86-64) => /usr/local/cuda/targets/x86_64-linux/lib/libcurand.so.10
\tlibcufft.so.12 (libc6,x86-64) => /usr/local/cuda/targets/x86_64-linux/lib/libcufft.so.12
\tlibcudnn.so.9 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn.so.9
\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/targets/x86_64-linux/lib/libcudart.so.13
\tlibcublasLt.so.13 (libc6,x86-64) => /usr/local/cuda/targets/x86_64-linux/lib/libcublasLt.so.13
\tlibcublas.so.13 (libc6,x86-64) => /usr/local/cuda/targets/x86_64-linux/lib/libcublas.so.13
`;

(process.platform === 'linux' ? test : test.skip)('CUDA libraries: another CUDA major does not count; LD_LIBRARY_PATH folders do', () => {
  const c = cudaLibrariesCheck(true, parseLinkerCache(CUDA13_HOST));
  expect(c.status).toBe('fail');
  expect(c.detail).toMatch(
    /^missing libcudart\.so\.12, libcublas\.so\.12, libcublasLt\.so\.12, libcufft\.so\.11; found libcudnn\.so\.9 \(\/lib\/x86_64-linux-gnu\/libcudnn\.so\.9\), libcurand\.so\.10 /,
  );
  expect(c.detail).toMatch(/other versions present \(libcudart\.so\.13, libcublas\.so\.13, libcublasLt\.so\.13, libcufft\.so\.12\) do not count/);
  expect(c.fix).toMatch(/libcudnn9-cuda-12/);
  expect(cudaLibrariesCheck(false, parseLinkerCache(CUDA13_HOST)).status).toBe('warn');

  const libs = path.join(root, 'cuda-libs');
  fs.mkdirSync(libs, { recursive: true });
  for (const lib of CUDA_LIBRARIES) fs.writeFileSync(path.join(libs, lib), '');
  process.env.LD_LIBRARY_PATH = `/nonexistent:${libs}`;
  expect(cudaLibrariesCheck(true, new Map())).toMatchObject({ status: 'ok', detail: expect.stringContaining(`libcudart.so.12 (${libs}/libcudart.so.12)`) });
});

test('--no-services skips Redis and PostgreSQL as warnings, whatever their URLs', async () => {
  const r = await runDoctor({ services: false, redisUrl: `redis://127.0.0.1:${closedPort}` });
  expect(r.ok).toBe(true);
  expect(named(r, 'redis')).toEqual({ name: 'redis', status: 'warn', detail: 'skipped (--no-services)' });
  expect(named(r, 'postgresql').status).toBe('warn');
});

test('the CLI: --json prints the report and the exit status says whether it is ok', () => {
  const run = (extra: NodeJS.ProcessEnv, ...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'doctor', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env(), ...extra } });
  const ok = run({}, '--json');
  expect(ok.status).toBe(0);
  expect((JSON.parse(ok.stdout) as Report).ok).toBe(true);

  const bad = run({ REDIS_URL: `redis://127.0.0.1:${closedPort}` }, '--json');
  expect(bad.status).toBe(1);
  const report = JSON.parse(bad.stdout) as Report;
  expect(failed(report)).toEqual(['redis']);
  expect(named(report, 'redis').detail).toContain(`redis://127.0.0.1:${closedPort}`);

  const text = run({}, '--database', 'postgres://postgres@127.0.0.1/altbridge_no_such_db');
  expect(text.status).toBe(1);
  expect(text.stdout).toMatch(/^FAIL {2}postgresql +postgres:\/\/postgres@127\.0\.0\.1\/altbridge_no_such_db: .*does not exist/m);
  expect(text.stdout).toMatch(/\nNOT READY: 1 failed \(postgresql\)/);
  expect(text.stderr).toBe('');
});
