/**
 * Fine-tuning from the admin API on a real Strapi: corpus upload with its validation report and
 * limits, a run (tiny step counts, in a child process) on a copy of the default bundle in a
 * temporary models folder, captioning going on meanwhile, one run at a time, the evaluation of the
 * new version against the active one, activation, rollback, and cancel.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { Admin, call, upload } from './helpers/http';
import { bootApp, TestApp, waitFor } from './helpers/strapi-app';

const ROOT = path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-finetune-'));
const models = path.join(tmp, 'models');
let app: TestApp;
let admin: Admin;

beforeAll(async () => {
  fs.cpSync(path.join(ROOT, 'models', 'shapes-mini'), path.join(models, 'shapes-mini'), { recursive: true });
  app = await bootApp('finetune', {
    ALTBRIDGE_MODELS: models,
    ALTBRIDGE_DATA: path.join(tmp, 'data'),
    ALTBRIDGE_CACHE: path.join(tmp, 'cache'),
    ALTBRIDGE_CORPUS_MAX_BYTES: '20000',
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
    for (const shape of ['circle', 'square', 'triangle', 'star'])
      for (const bg of ['white', 'black', 'grey', 'teal']) lines.push(`a ${colour} ${shape} on a ${bg} canvas in the gallery`);
  return lines.join('\n') + '\n';
}

async function sendCorpus(name: string, data: string | Buffer): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('corpus', new Blob([data]), name);
  const res = await fetch(`${app.baseUrl}/altbridge/finetune/corpus`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: form });
  return { status: res.status, body: await res.json() };
}

const status = async () => (await call(admin, 'GET', '/altbridge/finetune')).body.data;
const png = (fill: string) => sharp({ create: { width: 48, height: 48, channels: 3, background: fill } }).png().toBuffer();

async function captionOf(fileId: number): Promise<any> {
  return waitFor(`the caption of file ${fileId}`, async () => {
    const [row] = await app.strapi.db.query('plugin::altbridge.caption').findMany({ where: { fileId, status: 'suggested' } });
    return row;
  }, 60_000);
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
  expect(started.body.data).toMatchObject({ state: 'running', base: 'shapes-mini@1.0.0', target: 'shapes-mini@1.0.1', options: { denoiserSteps: 4, decoderSteps: 4, draws: 1 } });
  expect((await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 4 })).status).toBe(409);
  expect((await call(admin, 'POST', '/altbridge/finetune/activate')).status).toBe(409);

  // Strapi answers and the queue captions with the active bundle while the run trains.
  const during = await upload(admin, 'during.png', 'image/png', await png('#c22'));
  expect(await captionOf(during.id)).toMatchObject({ bundle: 'shapes-mini', bundleVersion: '1.0.0' });

  const done = await waitFor('the run to finish', async () => {
    const s = await status();
    if (s.state === 'failed') throw new Error(`the run failed: ${s.error}`);
    return s.state === 'done' ? s : undefined;
  }, 240_000);
  console.log(`fine-tune: eval new ${JSON.stringify(done.eval.new)} vs active ${JSON.stringify(done.eval.active)}`);
  expect(done).toMatchObject({ stage: 'eval', stageIndex: 6, error: null, activated: false });
  expect(done.losses.denoiser.length).toBeGreaterThan(0);
  expect(done.losses.decoder.length).toBeGreaterThan(0);
  expect(done.losses.decoder[0]).toEqual([1, expect.any(Number)]);
  expect(done.eval.lines).toBeGreaterThan(0);
  expect(Object.keys(done.eval.new).sort()).toEqual(['bleu1', 'bleu2', 'bleu3', 'bleu4', 'ciderD', 'rougeL']);
  expect(Object.keys(done.eval.active).sort()).toEqual(Object.keys(done.eval.new).sort());
  expect(done.eval.samples[0]).toEqual({ line: expect.any(String), new: expect.any(String), active: expect.any(String) });
  expect(fs.existsSync(path.join(models, 'shapes-mini-1.0.1', 'manifest.json'))).toBe(true);
  expect(fs.readdirSync(path.join(ROOT, 'models'))).not.toContain('shapes-mini-1.0.1');

  const versions = (await call(admin, 'GET', '/altbridge/bundles/versions')).body.data;
  expect(versions.map((v: any) => [v.ref, v.active])).toEqual([['shapes-mini@1.0.1', false], ['shapes-mini@1.0.0', true]]);
  expect(versions[0].notes).toMatch(/fine-tuned from shapes-mini@1\.0\.0/);

  const activated = await call(admin, 'POST', '/altbridge/finetune/activate');
  expect(activated.body.data).toEqual({ bundle: 'shapes-mini@1.0.1', previous: 'shapes-mini@1.0.0' });
  expect((await call(admin, 'GET', '/altbridge/settings')).body.data.bundle).toBe('shapes-mini@1.0.1');
  expect(await status()).toMatchObject({ activated: true, previousBundle: 'shapes-mini@1.0.0' });
  const after = await upload(admin, 'after.png', 'image/png', await png('#22c'));
  expect(await captionOf(after.id)).toMatchObject({ bundle: 'shapes-mini', bundleVersion: '1.0.1' });

  expect((await call(admin, 'POST', '/altbridge/bundles/activate', { bundle: 'nope@9' })).status).toBe(400);
  const back = await call(admin, 'POST', '/altbridge/bundles/activate', { bundle: 'shapes-mini@1.0.0' });
  expect(back.body.data).toEqual({ bundle: 'shapes-mini@1.0.0', previous: 'shapes-mini@1.0.1' });
  expect((await call(admin, 'GET', '/altbridge/settings')).body.data.bundle).toBe('shapes-mini@1.0.0');
});

test('cancel stops a run after its current step; no bundle is written', async () => {
  const started = await call(admin, 'POST', '/altbridge/finetune', { corpusId, steps: 5000, draws: 1 });
  expect(started.body.data.target).toBe('shapes-mini@1.0.2');
  await waitFor('training steps', async () => {
    const s = await status();
    return s.stage === 'denoiser' && s.step > 0 ? true : undefined;
  }, 120_000);
  const cancelling = await call(admin, 'POST', '/altbridge/finetune/cancel');
  expect(cancelling.body.data.state).toBe('cancelling');
  const end = await waitFor('the run to stop', async () => {
    const s = await status();
    return ['cancelled', 'failed'].includes(s.state) ? s : undefined;
  }, 60_000);
  expect(end).toMatchObject({ state: 'cancelled', error: null });
  expect(fs.existsSync(path.join(models, 'shapes-mini-1.0.2'))).toBe(false);
  expect((await call(admin, 'POST', '/altbridge/finetune/cancel')).status).toBe(409);
});
