/**
 * Fine-tuning from the admin API on a real Strapi: corpus upload with its validation report and
 * limits, a run (tiny step counts, in a child process) on a copy of the default bundle in a
 * temporary models folder, captioning going on meanwhile, one run at a time, the evaluation of the
 * new version against the active one, activation, rollback, and cancel. Then the hardening: upload
 * temp files and limits, two starts at once (held on a PostgreSQL lock until both are in flight),
 * the child's environment and priority, the run's heartbeat lease, and corpora leaving the list.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { bumpVersion } from '../../worker/bundle/version';
import type { RunStatus } from '../../server/src/contracts';
import * as spawn from '../../worker/finetune/spawn';
import { Admin, call, upload } from './helpers/http';
import { releasedTogether } from './helpers/locks';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

const ROOT = path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-finetune-'));
const models = path.join(tmp, 'models');
// The shipped version and the two a fine-tune of it takes in turn, so a rebuilt bundle needs no edit here.
const baseVersion = loadBundle('shapes-mini').manifest.version;
const firstVersion = bumpVersion(baseVersion);
const base = `shapes-mini@${baseVersion}`;
const first = `shapes-mini@${firstVersion}`;
const second = `shapes-mini@${bumpVersion(firstVersion)}`;
const dirOf = (ref: string) => ref.replace('@', '-');
let app: TestApp;
let admin: Admin;

beforeAll(async () => {
  fs.cpSync(path.join(ROOT, 'models', 'shapes-mini'), path.join(models, 'shapes-mini'), { recursive: true });
  app = await bootApp('finetune', {
    ALTBRIDGE_MODELS: models,
    ALTBRIDGE_DATA: path.join(tmp, 'data'),
    ALTBRIDGE_CACHE: path.join(tmp, 'cache'),
    ALTBRIDGE_CORPUS_MAX_BYTES: '20000',
    // Secrets of the server that the training child must not see.
    ADMIN_JWT_SECRET: 'finetune-test-admin-jwt-secret',
    DATABASE_PASSWORD: '',
  });
  admin = { baseUrl: app.baseUrl, token: await app.adminToken() };
}, 120_000);

afterAll(async () => {
  await app?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Captions in the default bundle's world, with a few words it has never seen. */
function corpus(): string {
  const lines = [];
  for (const colour of ['red', 'green', 'blue', 'yellow', 'purple', 'orange'])
    for (const shape of ['circle', 'square', 'triangle', 'star']) for (const bg of ['white', 'black', 'grey', 'teal']) lines.push(`a ${colour} ${shape} on a ${bg} canvas in the gallery`);
  return lines.join('\n') + '\n';
}

async function sendCorpus(name: string, data: string | Buffer, ...more: [string, string][]): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('corpus', new Blob([data]), name);
  for (const [extra, text] of more) form.append(extra, new Blob([text]), `${extra}.txt`);
  const res = await fetch(`${app.baseUrl}/altbridge/finetune/corpus`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: form });
  return { status: res.status, body: await res.json() };
}

const status = async () => (await call(admin, 'GET', '/altbridge/finetune')).body.data;
const png = (fill: string) =>
  sharp({ create: { width: 48, height: 48, channels: 3, background: fill } })
    .png()
    .toBuffer();

async function captionOf(fileId: number): Promise<any> {
  return waitFor(
    `the caption of file ${fileId}`,
    async () => {
      // Stored, whether the publishing policy wrote it or held it for review: which bundle made it is what counts here.
      const [row] = await app.strapi.db.query('plugin::altbridge.caption').findMany({ where: { fileId, status: { $in: ['suggested', 'needs-review'] } } });
      return row;
    },
    60_000,
  );
}

let corpusId: string;

test('corpus upload: checked, with a report; empty, malformed, wrong kind and too large are refused', async () => {
  const empty = await sendCorpus('empty.txt', '');
  expect([empty.status, empty.body.error.message]).toEqual([400, 'empty.txt is empty']);
  const blank = await sendCorpus('blank.txt', '\n\n  \nok\n');
  expect(blank.status).toBe(400);
  expect(blank.body.error.message).toMatch(/^blank\.txt has no usable caption \(4 records: 3 empty, 1 too short/);
  const broken = await sendCorpus('broken.jsonl', '{"caption": "a red circle on white"}\n{not json\n');
  expect(broken.status).toBe(400);
  expect(broken.body.error.message).toMatch(/^broken\.jsonl: line 2 is not valid JSON/);
  expect(broken.body.error.message).not.toContain(tmp);
  expect((await sendCorpus('slides.pdf', 'a red circle')).status).toBe(400);
  const big = await sendCorpus('big.txt', 'a red circle on a white canvas\n'.repeat(1000));
  expect(big.status).toBe(413);
  expect(big.body.error.message).toMatch(/limit is 20000 bytes/);

  const ok = await sendCorpus('gallery.txt', corpus());
  expect(ok.status).toBe(200);
  expect(ok.body.data).toMatchObject({ name: 'gallery.txt', format: 'txt', report: { lines: 96, kept: 96 } });
  expect(ok.body.data.report.heldOut).toBeGreaterThan(0);
  expect(ok.body.data.sample).toHaveLength(5);
  corpusId = ok.body.data.id;
  expect((await call(admin, 'GET', '/altbridge/finetune/corpus')).body.data.map((c: any) => c.id)).toEqual([corpusId]);
});

/** Paths under the OS temp folder, in entries that were not there before, of files that hold `token`. */
function tempFilesHolding(before: Set<string>, token: string): string[] {
  const found: string[] = [];
  const visit = (p: string, depth: number) => {
    try {
      const st = fs.lstatSync(p);
      if (st.isDirectory() && depth < 3) for (const name of fs.readdirSync(p)) visit(path.join(p, name), depth + 1);
      else if (st.isFile() && st.size < 1 << 20 && fs.readFileSync(p).includes(token)) found.push(p);
    } catch {
      // Another process's entry, gone or unreadable: not this upload's.
    }
  };
  for (const name of fs.readdirSync(os.tmpdir())) if (!before.has(name)) visit(path.join(os.tmpdir(), name), 0);
  return found;
}

test('uploads leave no temp file behind, refused or accepted; the stored corpus is private', async () => {
  const token = `temp-token-${process.pid}-${Date.now()}`;
  const before = new Set(fs.readdirSync(os.tmpdir()));
  const big = await sendCorpus('big-temp.txt', `a red circle named ${token}\n`.repeat(1000));
  expect(big.status).toBe(413);
  const ok = await sendCorpus('small-temp.txt', `${corpus()}a blue square named ${token} in the gallery\n`);
  expect(ok.status).toBe(200);
  expect(tempFilesHolding(before, token)).toEqual([]);

  const folder = path.join(tmp, 'data', 'corpora');
  const stored = fs.readdirSync(folder).find((f) => f.startsWith(ok.body.data.id))!;
  expect(fs.readFileSync(path.join(folder, stored), 'utf8')).toContain(token);
  expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.join(folder, stored)).mode & 0o777).toBe(0o600);
});

test('an upload over the limit is refused while it streams in: the answer comes before the body ends', async () => {
  const boundary = 'altbridge-test-boundary';
  const req = http.request(`${app.baseUrl}/altbridge/finetune/corpus`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  // Chunked, with no end: only a parser that stops at the limit can answer.
  req.write(`--${boundary}\r\nContent-Disposition: form-data; name="corpus"; filename="endless.txt"\r\nContent-Type: text/plain\r\n\r\n`);
  req.write('a red circle on a white canvas\n'.repeat(1000));
  const r = await answer;
  req.destroy();
  expect(r.status).toBe(413);
  expect(r.body.error.message).toMatch(/limit is 20000 bytes/);
}, 30_000);

test('one file per upload: several are refused with a 400', async () => {
  const two = await sendCorpus('one.txt', corpus(), ['second', corpus()]);
  expect(two.status).toBe(400);
  expect(two.body.error.message).toBe('send one corpus file per upload (this one has 2)');
});

test('a run: one at a time, captioning goes on, then the new version is evaluated, activated and rolled back', async () => {
  expect(await status()).toBeNull();
  expect((await call(admin, 'POST', '/altbridge/finetune', {})).status).toBe(400);
  expect((await call(admin, 'POST', '/altbridge/finetune', { corpusId: 'nope' })).status).toBe(404);
  for (const bad of [{ steps: 0 }, { steps: 100_001 }, { denoiserSteps: 1.5 }, { draws: 17 }, { seed: -1 }]) {
    expect([bad, (await call(admin, 'POST', '/altbridge/finetune', { corpusId, ...bad })).status]).toEqual([bad, 400]);
  }
  expect((await call(admin, 'GET', '/altbridge/limits')).body.data.corpusMaxBytes).toBe(20000);
  const started = await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 4, draws: 1 });
  expect(started.status).toBe(200);
  expect(started.body.data).toMatchObject({ state: 'running', base, target: first, options: { denoiserSteps: 4, decoderSteps: 4, draws: 1 } });
  expect((await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 4 })).status).toBe(409);
  expect((await call(admin, 'POST', '/altbridge/finetune/activate')).status).toBe(409);

  // Strapi answers and the queue captions with the active bundle while the run trains.
  const during = await upload(admin, 'during.png', 'image/png', await png('#c22'));
  expect(await captionOf(during.id)).toMatchObject({ bundle: 'shapes-mini', bundleVersion: baseVersion });

  const done = await waitFor(
    'the run to finish',
    async () => {
      const s = await status();
      if (s.state === 'failed') throw new Error(`the run failed: ${s.error}`);
      return s.state === 'done' ? s : undefined;
    },
    240_000,
  );
  console.log(`fine-tune: eval new ${JSON.stringify(done.eval.new)} vs active ${JSON.stringify(done.eval.active)}`);
  expect(done).toMatchObject({ stage: 'eval', stageIndex: 6, error: null, activated: false });
  expect(done.losses.denoiser.length).toBeGreaterThan(0);
  expect(done.losses.decoder.length).toBeGreaterThan(0);
  expect(done.losses.decoder[0]).toEqual([1, expect.any(Number)]);
  expect(done.eval.lines).toBeGreaterThan(0);
  expect(Object.keys(done.eval.new).sort()).toEqual(['bleu1', 'bleu2', 'bleu3', 'bleu4', 'ciderD', 'rougeL']);
  expect(Object.keys(done.eval.active).sort()).toEqual(Object.keys(done.eval.new).sort());
  expect(done.eval.samples[0]).toEqual({ line: expect.any(String), new: expect.any(String), active: expect.any(String) });
  expect(fs.existsSync(path.join(models, dirOf(first), 'manifest.json'))).toBe(true);
  expect(fs.readdirSync(path.join(ROOT, 'models'))).not.toContain(dirOf(first));

  const versions = (await call(admin, 'GET', '/altbridge/bundles/versions')).body.data;
  // art-mini was seeded into the models folder at start, as every shipped bundle is.
  expect(versions.map((v: any) => [v.ref, v.active])).toEqual([
    [`art-mini@${loadBundle('art-mini').manifest.version}`, false],
    [first, false],
    [base, true],
  ]);
  expect(versions[1].notes).toContain(`fine-tuned from ${base}`);

  const activated = await call(admin, 'POST', '/altbridge/finetune/activate');
  expect(activated.body.data).toEqual({ bundle: first, previous: base });
  expect((await call(admin, 'GET', '/altbridge/settings')).body.data.bundle).toBe(first);
  expect(await status()).toMatchObject({ activated: true, previousBundle: base });
  const after = await upload(admin, 'after.png', 'image/png', await png('#22c'));
  expect(await captionOf(after.id)).toMatchObject({ bundle: 'shapes-mini', bundleVersion: firstVersion });

  expect((await call(admin, 'POST', '/altbridge/bundles/activate', { bundle: 'nope@9' })).status).toBe(400);
  const back = await call(admin, 'POST', '/altbridge/bundles/activate', { bundle: base });
  expect(back.body.data).toEqual({ bundle: base, previous: first });
  expect((await call(admin, 'GET', '/altbridge/settings')).body.data.bundle).toBe(base);
});

test('cancel stops a run after its current step; no bundle is written', async () => {
  const started = await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 5000, draws: 1 });
  expect(started.body.data.target).toBe(second);
  await waitFor(
    'training steps',
    async () => {
      const s = await status();
      return s.stage === 'denoiser' && s.step > 0 ? true : undefined;
    },
    120_000,
  );
  const cancelling = await call(admin, 'POST', '/altbridge/finetune/cancel');
  expect(cancelling.body.data.state).toBe('cancelling');
  const end = await waitFor(
    'the run to stop',
    async () => {
      const s = await status();
      return ['cancelled', 'failed'].includes(s.state) ? s : undefined;
    },
    60_000,
  );
  expect(end).toMatchObject({ state: 'cancelled', error: null });
  expect(fs.existsSync(path.join(models, dirOf(second)))).toBe(false);
  expect((await call(admin, 'POST', '/altbridge/finetune/cancel')).status).toBe(409);
});

/** Starts a run whose 'exit' this server does not see until `exitSeen` resolves (the process itself exits). */
async function startHoldingExit(exitSeen: Promise<void>): Promise<RunStatus> {
  const fork = spawn.forkFinetune;
  const spy = jest.spyOn(spawn, 'forkFinetune').mockImplementationOnce((spec) => {
    const child = fork(spec);
    const emit = child.emit.bind(child);
    child.emit = ((event: string, ...args: unknown[]) => (event === 'exit' ? (void exitSeen.then(() => emit(event, ...args)), true) : emit(event, ...args))) as typeof child.emit;
    return child;
  });
  const started = await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 5000, draws: 1 });
  expect(spy).toHaveBeenCalledTimes(1);
  spy.mockRestore();
  expect(started.status).toBe(200);
  return started.body.data;
}

/** Cancels the run going, once it trains, and waits until it reports the end and its process is gone. */
async function cancelled(run: RunStatus): Promise<void> {
  await waitFor('training steps', async () => ((await status()).step > 0 ? true : undefined), 120_000);
  expect((await call(admin, 'POST', '/altbridge/finetune/cancel')).status).toBe(200);
  await waitFor('the run to stop', async () => ((await status()).state === 'cancelled' && gone(run.pid) ? true : undefined), 60_000);
}

test('a run that reported its end blocks no start, though the server has not yet seen its process exit; that late exit leaves the new run alone', async () => {
  let seeExit!: () => void;
  const exitSeen = new Promise<void>((r) => (seeExit = r));
  const old = await startHoldingExit(exitSeen);
  await cancelled(old);

  const next = await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 5000, draws: 1 });
  expect(next.status).toBe(200);
  seeExit();
  await new Promise((r) => setImmediate(r));
  expect(await status()).toMatchObject({ id: next.body.data.id, state: 'running' });
  expect(((await storedRun().get({})) as RunStatus).id).toBe(next.body.data.id);
  await cancelled(next.body.data);
});

/** How many of this database's connections wait for a lock now. */
const storedRun = () => app.strapi.store({ type: 'plugin', name: 'altbridge', key: 'finetune' });

/** Stores a run's state as a server does: under the run's advisory lock, so this server's last write of its own run goes first. */
const writeRun = (value: unknown) =>
  app.strapi.db.transaction(async ({ trx }) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['altbridge.finetune']);
    await storedRun().set({ value });
  });

/** The environment a process started with. */
const environOf = (pid: number) =>
  Object.fromEntries(
    fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

test('two starts at once make one run; its process has a minimal environment and a lower priority', async () => {
  // Both requests are held where a start reads the run's state, until both are in flight.
  const table = app.strapi.db.metadata.get('strapi::core-store').tableName;
  const answers = await releasedTogether(app.strapi, table, () => [1, 2].map(() => call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 5000, draws: 1 })));
  expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
  const run = answers.find((a) => a.status === 200)!.body.data;

  const env = environOf(run.pid);
  for (const secret of ['ADMIN_JWT_SECRET', 'DATABASE_PASSWORD', 'DATABASE_NAME', 'APP_KEYS']) expect([secret, env[secret]]).toEqual([secret, undefined]);
  expect(env).toMatchObject({ PATH: process.env.PATH, ALTBRIDGE_MODELS: models, ALTBRIDGE_THREADS: '1' });
  expect(os.getPriority(run.pid)).toBe(Math.min(19, os.getPriority() + 10));

  expect((await call(admin, 'POST', '/altbridge/finetune/cancel')).status).toBe(200);
  await waitFor('the run to stop', async () => (((await storedRun().get({})) as any)?.state === 'cancelled' && gone(run.pid) ? true : undefined), 60_000);
});

test("a run is alive while its server's heartbeat is fresh, from any host, and interrupted once the lease is out", async () => {
  const last = (await storedRun().get({})) as any;
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  // A run recorded by this very host and a live process id (a restarted server's pid, reused), silent for an hour.
  const silentSince = ago(3_600_000);
  await writeRun({ ...last, id: 'finetune-phantom', state: 'running', host: os.hostname(), pid: process.pid, heartbeatAt: silentSince, finishedAt: null, error: null });
  const phantom = await status();
  expect(phantom).toMatchObject({ id: 'finetune-phantom', state: 'interrupted', finishedAt: silentSince });
  expect(phantom.error).toMatch(/stopped sending its heartbeat/);

  // A run on another replica that beat a moment ago: going, and a start waits for it.
  await writeRun({ ...last, id: 'finetune-replica', state: 'running', host: 'another-replica', pid: 1, heartbeatAt: ago(1_000), finishedAt: null, error: null });
  expect(await status()).toMatchObject({ id: 'finetune-replica', state: 'running' });
  expect((await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 4 })).status).toBe(409);
  await writeRun(last);
});

test('a corpus that leaves the list (the last 20 are kept) has its file deleted', async () => {
  const folder = path.join(tmp, 'data', 'corpora');
  const listed = (await call(admin, 'GET', '/altbridge/finetune/corpus')).body.data as { id: string }[];
  const oldest = listed[listed.length - 1].id;
  expect(fs.readdirSync(folder).some((f) => f.startsWith(oldest))).toBe(true);
  for (let i = listed.length; i <= 20; i++) expect((await sendCorpus(`more-${i}.txt`, corpus())).status).toBe(200);
  const after = (await call(admin, 'GET', '/altbridge/finetune/corpus')).body.data as { id: string }[];
  expect(after).toHaveLength(20);
  expect(after.map((c) => c.id)).not.toContain(oldest);
  expect(fs.readdirSync(folder).filter((f) => f.startsWith(oldest))).toEqual([]);
  expect(fs.readdirSync(folder)).toHaveLength(20);
});

test('activation refuses a bundle reference that is not a safe folder name', async () => {
  const r = await call(admin, 'POST', '/altbridge/bundles/activate', { bundle: '../../elsewhere@1.0.0' });
  expect(r.status).toBe(400);
  expect(r.body.error.message).toMatch(/^a bundle name is lowercase letters, .*got "\.\.\/\.\.\/elsewhere"$/);
});
