/**
 * runFinetune, the one fine-tuning path (the admin's child process and `altbridge finetune`): the
 * messages it sends, the version it picks and reserves, where it writes, and the comparison with
 * its base.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../../../worker/bundle/load';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { reserveVersion } from '../../../worker/bundle/version';
import { FINETUNE_STAGES, FinetuneMessage, FinetuneSpec, runFinetune } from '../../../worker/finetune/job';
import { toy } from '../../../worker/train/toy';
import { imagesMean } from '../../../worker/images-mean';
import sharp from 'sharp';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-finetune-'));
const models = path.join(root, 'models');
const corpus = path.join(root, 'shapes.txt');
const spec = (o: Partial<FinetuneSpec>): FinetuneSpec => ({
  base: 'random-tiny@0.0.1',
  corpus,
  modelsDir: models,
  denoiserSteps: 8,
  decoderSteps: 8,
  draws: 1,
  seed: 0,
  cacheDir: path.join(root, 'cache'),
  ...o,
});

beforeAll(() => {
  makeRandomBundle(path.join(models, 'random-tiny-0.0.1'), 'tiny', 1);
  // random-tiny@0.0.2 is installed too, so the next version after 0.0.1 is 0.0.3.
  makeRandomBundle(path.join(models, 'random-tiny-0.0.2'), 'tiny', 2);
  fs.writeFileSync(
    corpus,
    toy()
      .lines.map((l) => `${l}.`)
      .join('\n'),
  );
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('stages in FINETUNE_STAGES order, progress from the training stages, then done: a new version beside the base, compared with it', async () => {
  const messages: FinetuneMessage[] = [];
  const done = await runFinetune(spec({}), (m) => messages.push(m));
  expect(FINETUNE_STAGES).toEqual(['corpus', 'embed', 'denoiser', 'augment', 'decoder', 'write', 'eval']);
  expect(messages.filter((m) => m.type === 'stage').map((m) => m.type === 'stage' && m.stage)).toEqual(FINETUNE_STAGES);
  const progress = messages.filter((m) => m.type === 'progress');
  expect([...new Set(progress.map((m) => m.type === 'progress' && m.stage))]).toEqual(['denoiser', 'decoder']);
  expect(progress[progress.length - 1]).toMatchObject({ stage: 'decoder', step: 8, total: 8, lr: expect.any(Number), unitsPerSec: expect.any(Number) });
  expect(messages[messages.length - 1]).toEqual(done);

  expect(done).toMatchObject({ type: 'done', bundle: 'random-tiny@0.0.3', dir: path.join(models, 'random-tiny-0.0.3') });
  expect(loadBundle(done.dir).manifest.provenance).toMatchObject({ notes: 'fine-tuned from random-tiny@0.0.1', commands: ['fine-tuning of random-tiny@0.0.1 on shapes.txt'] });
  expect(fs.existsSync(path.join(root, 'runs', 'random-tiny-0.0.3', 'decoder', 'checkpoint.safetensors'))).toBe(true);
  const e = done.eval;
  expect(e.lines).toBeGreaterThan(0);
  expect(Object.keys(e.new!).sort()).toEqual(['bleu1', 'bleu2', 'bleu3', 'bleu4', 'ciderD', 'rougeL']);
  expect(Object.keys(e.active!).sort()).toEqual(Object.keys(e.new!).sort());
  expect(e.samples.length).toBe(Math.min(10, e.lines));
  for (const s of e.samples) expect(fs.readFileSync(corpus, 'utf8').split('\n')).toContain(s.line);
});

test('a base given as a folder, a mixed-in corpus, and an explicit name, version, out and run folder', async () => {
  const out = path.join(root, 'elsewhere', 'domain-bundle');
  const runDir = path.join(root, 'my-run');
  const done = await runFinetune(
    spec({ base: path.join(models, 'random-tiny-0.0.2'), mix: { corpus, share: 0.5 }, name: 'domain', version: '7.0.0', out, runDir, command: 'test run' }),
    () => undefined,
  );
  expect(done).toMatchObject({ bundle: 'domain@7.0.0', dir: out });
  const m = loadBundle(out).manifest;
  expect(m.provenance).toMatchObject({ notes: 'fine-tuned from random-tiny@0.0.2 with 0.5 x shapes.txt mixed in', commands: ['test run'] });
  expect(fs.readdirSync(runDir).sort()).toEqual(['augment.safetensors', 'decoder', 'denoiser']);
});

test('a base that is not installed is refused before anything is written', async () => {
  const messages: FinetuneMessage[] = [];
  await expect(runFinetune(spec({ base: 'random-tiny@9.9.9' }), (m) => messages.push(m))).rejects.toThrow(/bundle "random-tiny@9\.9\.9" not found .*have: .*random-tiny@0\.0\.1/);
  expect(messages).toEqual([]);
});

test('two runs targeting one version: the second is refused while the first holds it, and the version is free once the first stops', async () => {
  const first = new AbortController();
  let inCorpusStage!: () => void;
  const held = new Promise<void>((resolve) => (inCorpusStage = resolve));
  const a = runFinetune(spec({ version: '5.0.0' }), (m) => m.type === 'stage' && inCorpusStage(), first.signal);
  await held;
  await expect(runFinetune(spec({ version: '5.0.0' }), () => undefined)).rejects.toThrow(/^random-tiny@5\.0\.0 is being written by another run \(pid \d+ on /);
  first.abort();
  await expect(a).rejects.toThrow('train: cancelled (run again to resume)');
  expect(fs.existsSync(path.join(models, 'random-tiny-5.0.0'))).toBe(false);
  reserveVersion(models, 'random-tiny', '5.0.0').release();
});

test('a name or version that is not one safe folder name is refused before anything is written', async () => {
  await expect(runFinetune(spec({ name: '../escape' }), () => undefined)).rejects.toThrow(/a bundle name is .*got "\.\.\/escape"/);
  await expect(runFinetune(spec({ version: '../../1.0.0' }), () => undefined)).rejects.toThrow(/a bundle version is .*got "\.\.\/\.\.\/1\.0\.0"/);
  expect(fs.readdirSync(root).filter((f) => f.startsWith('escape'))).toEqual([]);
  expect(fs.readdirSync(models)).not.toContain('1.0.0');
});

test("the base's image domain (CLIP's alone, so still true) goes along into the new version", async () => {
  const base = path.join(models, 'random-tiny-9.0.0');
  makeRandomBundle(base, 'tiny', 9);
  const images = path.join(root, 'domain-images');
  fs.mkdirSync(images);
  for (let i = 0; i < 4; i++) {
    const px = Buffer.alloc(16 * 16 * 3, i * 60);
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(path.join(images, `${i}.png`));
  }
  await imagesMean(
    base,
    fs.readdirSync(images).map((f) => path.join(images, f)),
    { domainOnly: true, description: 'grey squares' },
  );
  const done = await runFinetune(spec({ base }), () => undefined);
  const before = loadBundle(base);
  const after = loadBundle(done.dir);
  expect(after.manifest.domain).toEqual(before.manifest.domain);
  expect(after.domain).toEqual(before.domain);
});
