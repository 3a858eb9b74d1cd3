/**
 * Importing a Hugging Face CLIP ONNX export: a folder in the export's layout, made here with tiny
 * random-weight towers under the real names and shapes, becomes a CLIP-only bundle that takes
 * ē_img, trains a captioner and captions an image; folders that are not such exports are refused
 * with a one-line reason and leave nothing behind.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { importClip } from '../../../worker/bundle/import-clip';
import { loadBundle, loadClip } from '../../../worker/bundle/load';
import { Captioner, isFailure } from '../../../worker/caption';
import { writeClipTokenizer } from '../../../worker/clip/make-tokenizer';
import { CLIP_MEAN, CLIP_STD } from '../../../worker/clip/preprocess';
import { ClipTokenizer } from '../../../worker/clip/tokenizer';
import { imageEncoder, textEncoder, TextConfig, VisionConfig } from '../../../worker/graph/clip';
import { Graph } from '../../../worker/graph/graph';
import { buildInference, NetDef } from '../../../worker/graph/train-step';
import { imagesMean } from '../../../worker/images-mean';
import { trainFromCorpus } from '../../../worker/train/corpus-train';
import { Rng } from '../../../worker/train/rng';
import { initialValue } from '../../../worker/train/trainer';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-import-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const VISION: VisionConfig = { imageSize: 32, patch: 8, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 };
const text = (vocab: number): TextConfig => ({ vocab, contextLength: 16, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 });

function captions(n: number): string[] {
  const rng = new Rng(3);
  const pick = (xs: string[]) => xs[rng.int(xs.length)];
  const out = new Set<string>();
  while (out.size < n)
    out.add(
      `a ${pick(['small', 'large', 'tiny'])} ${pick(['red', 'green', 'blue', 'yellow'])} ${pick(['circle', 'square', 'star'])} ${pick(['above', 'below', 'next to'])} a ${pick(['red', 'blue'])} ${pick(['circle', 'square'])}.`,
    );
  return [...out];
}
const LINES = captions(48);

/** Seeded weights for a network, as random.ts makes them. */
function onnx(def: NetDef, stream: number): Uint8Array {
  const g = new Graph();
  def(g);
  const values = new Map(
    g.params.map((p, i) => [
      p.spec.name,
      initialValue(
        p.spec.init,
        p.spec.shape.reduce((a, b) => a * b, 1),
        new Rng(7, stream, i),
      ),
    ]),
  );
  return buildInference(def, values);
}

interface ExportOptions {
  vision?: NetDef;
  topLevel?: boolean;
  preprocessor?: string;
  config?: object | null;
}

/** A folder in the layout of a Hugging Face CLIP ONNX export (Xenova/optimum). */
function makeExport(name: string, o: ExportOptions = {}): string {
  const dir = path.join(root, name);
  const tok = writeClipTokenizer(dir, LINES, { vocabSize: 600 });
  const models = o.topLevel ? dir : path.join(dir, 'onnx');
  fs.mkdirSync(models, { recursive: true });
  fs.writeFileSync(path.join(models, 'vision_model.onnx'), onnx(o.vision ?? imageEncoder(VISION), 1));
  fs.writeFileSync(path.join(models, 'text_model.onnx'), onnx(textEncoder(text(Object.keys(tok.model.vocab).length)), 2));
  fs.writeFileSync(path.join(dir, 'preprocessor_config.json'), o.preprocessor ?? JSON.stringify({ crop_size: 32, size: 32, image_mean: CLIP_MEAN, image_std: CLIP_STD, do_center_crop: true }));
  if (o.config !== null)
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(o.config ?? { projection_dim: 16, text_config: { max_position_embeddings: 16 }, vision_config: { image_size: 32, patch_size: 8 } }));
  return dir;
}

async function pngs(dir: string, n: number): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = path.join(dir, `img${i}.png`);
    await sharp({ create: { width: 40 + 8 * i, height: 36, channels: 3, background: { r: 60 * i, g: 200 - 50 * i, b: 90 } } })
      .png()
      .toFile(f);
    files.push(f);
  }
  return files;
}

test('an HF CLIP export imports as a CLIP-only bundle that takes ē_img, trains a captioner and captions an image', async () => {
  const src = makeExport('export');
  const out = path.join(root, 'bundles', 'tiny-clip');
  const m = await importClip(src, { out, version: '2.0.0', command: 'test import' });
  expect(m.name).toBe('export');
  expect(m.clip).toMatchObject({ imageSize: 32, embedDim: 16, contextLength: 16, mean: CLIP_MEAN, std: CLIP_STD });
  expect(Object.keys(m.files).sort()).toEqual(['clip/text_model.onnx', 'clip/tokenizer.json', 'clip/tokenizer_config.json', 'clip/vision_model.onnx']);
  expect(m.provenance.commands).toEqual(['test import']);
  expect(fs.readdirSync(path.dirname(out))).toEqual(['tiny-clip']);

  const clip = loadClip(out);
  expect(clip.imageMean).toBeNull();
  expect(() => loadBundle(out)).toThrow(/CLIP only/);
  expect(ClipTokenizer.load(clip.file('clip/tokenizer.json')).pad).toBe(ClipTokenizer.load(src).pad);

  const images = await pngs(path.join(root, 'images'), 3);
  const mean = await imagesMean(out, images);
  expect(mean.images).toBe(3);
  expect(loadClip(out).imageMean).toHaveLength(16);

  const corpus = path.join(root, 'captions.txt');
  fs.writeFileSync(corpus, LINES.join('\n') + '\n');
  const trained = path.join(root, 'bundles', 'tiny-captioner');
  await trainFromCorpus(loadClip(out), {
    corpus,
    out: trained,
    name: 'tiny-captioner',
    version: '1.0.0',
    runDir: path.join(root, 'run'),
    seed: 1,
    denoiserSteps: 30,
    decoderSteps: 60,
    draws: 1,
    cacheDir: path.join(root, 'cache'),
  });
  const captioner = await Captioner.open(loadBundle(trained));
  try {
    const [r] = await captioner.caption([images[0]], { maxTokens: 8 });
    if (isFailure(r)) throw new Error(r.error);
    expect(r.caption.trim().length).toBeGreaterThan(0);
  } finally {
    await captioner.close();
  }
}, 240_000);

test('the top-level layout, {height, width} crop sizes and a missing config.json import too; FETCHED.json goes into the provenance', async () => {
  const src = makeExport('top', { topLevel: true, config: null, preprocessor: JSON.stringify({ crop_size: { height: 32, width: 32 }, size: { shortest_edge: 32 } }) });
  fs.writeFileSync(path.join(src, 'FETCHED.json'), JSON.stringify({ name: 'clip-test', baseUrl: 'https://example.org/' }));
  const m = await importClip(src, { out: path.join(root, 'bundles', 'top'), name: 'top-clip' });
  expect(m.clip).toMatchObject({ imageSize: 32, embedDim: 16, contextLength: 16, mean: CLIP_MEAN, std: CLIP_STD });
  expect(m.provenance.notes).toContain(`imported from ${src}`);
  expect(m.provenance.notes).toContain('"baseUrl":"https://example.org/"');
}, 60_000);

test('--variant quantized picks the *_quantized.onnx towers, and says which it lacks', async () => {
  const src = makeExport('variants');
  await expect(importClip(src, { out: path.join(root, 'bundles', 'q0'), variant: 'quantized' })).rejects.toThrow(/missing vision_model_quantized\.onnx .*, text_model_quantized\.onnx/);
  for (const tower of ['vision_model', 'text_model']) fs.renameSync(path.join(src, 'onnx', `${tower}.onnx`), path.join(src, 'onnx', `${tower}_quantized.onnx`));
  const m = await importClip(src, { out: path.join(root, 'bundles', 'q1'), variant: 'quantized' });
  expect(m.provenance.notes).toContain('(onnx/vision_model_quantized.onnx, onnx/text_model_quantized.onnx)');
  expect(m.clip.vision).toBe('clip/vision_model.onnx');
}, 60_000);

describe('folders that are not CLIP exports are refused, leaving nothing behind', () => {
  const cases: [string, () => string, RegExp][] = [
    ['not a folder', () => path.join(root, 'nowhere'), /nowhere is not a folder/],
    [
      'a missing text model',
      () => {
        const dir = makeExport('no-text');
        fs.rmSync(path.join(dir, 'onnx', 'text_model.onnx'));
        return dir;
      },
      /not a Hugging Face CLIP ONNX export: missing text_model\.onnx \(in onnx\/ or the top level\) \(found: .*onnx\/vision_model\.onnx/,
    ],
    ['a wrong output name', () => makeExport('wrong-name', { vision: (g) => ({ embeds: imageEncoder(VISION)(g).image_embeds }) }), /has no output "image_embeds" \(outputs: embeds\)/],
    [
      'an image size the vision model does not take',
      () => makeExport('wrong-size', { preprocessor: JSON.stringify({ crop_size: 64 }) }),
      /input "pixel_values" is \[B,3,32,32\], expected \[any,3,64,64\]/,
    ],
    ['an embedding size config.json does not give', () => makeExport('wrong-dim', { config: { projection_dim: 24 } }), /output "image_embeds" has 16 dims, expected 24/],
    ['an unreadable preprocessor config', () => makeExport('bad-pre', { preprocessor: '{crop_size: 32' }), /preprocessor_config\.json is not readable JSON/],
  ];
  test.each(cases)('%s', async (_, make, message) => {
    const out = path.join(root, 'failed', 'bundle');
    const err = await importClip(make(), { out }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(message);
    expect(err?.message).not.toContain('\n');
    expect(fs.existsSync(path.join(root, 'failed')) ? fs.readdirSync(path.join(root, 'failed')) : []).toEqual([]);
  });

  test('an existing destination', async () => {
    const out = path.join(root, 'taken');
    fs.mkdirSync(out);
    await expect(importClip(makeExport('fine'), { out })).rejects.toThrow(/taken already exists/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'altbridge.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ALTBRIDGE_MODELS: path.join(root, 'cli-models') } });

test('the CLI refuses a --name that would leave the models folder (or a folder name that is no bundle name) before reading the export', () => {
  const r = run('models', 'import-clip', makeExport('escape-export'), '--name', '../x');
  expect(r.stderr).toMatch(/^altbridge: import-clip: a bundle name is lowercase letters, digits, .*got "\.\.\/x"\n$/);
  expect(r.status).toBe(1);
  expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
  expect(fs.existsSync(path.join(root, 'cli-models'))).toBe(false);
  const upper = run('models', 'import-clip', path.join(root, 'Some Export'));
  expect(upper.stderr).toMatch(/got "Some Export" \(the export folder's name; give one with --name\)\n$/);
}, 60_000);

test('the CLI imports an export and computes ē_img, skipping a corrupt file with its reason', async () => {
  const imp = run('models', 'import-clip', makeExport('cli-export'), '--name', 'cli-clip');
  expect(imp.stderr).toBe('');
  expect(imp.status).toBe(0);
  expect(imp.stdout).toMatch(/imported cli-clip@1\.0\.0 to .*cli-models\/cli-clip: CLIP only, images 32x32, 16-d embeddings/);
  expect(imp.stdout).toContain('npx altbridge images-mean --bundle cli-clip DIR');
  expect(imp.stdout).toContain('npx altbridge train --clip cli-clip --corpus FILE');

  const dir = path.join(root, 'cli-images');
  await pngs(dir, 2);
  fs.writeFileSync(path.join(dir, 'broken.png'), 'not an image at all');
  fs.writeFileSync(path.join(dir, '.hidden.png'), 'dotfiles are skipped');
  const r = run('images-mean', '--bundle', 'cli-clip', dir);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/broken\.png: skipped: \S/);
  expect(r.stderr).not.toContain('.hidden');
  expect(r.stdout).toMatch(/ē_img from 2 of 3 image\(s\) stored in .*cli-clip\/means\.safetensors \(cli-clip@1\.0\.0\)/);

  const none = run('images-mean', '--bundle', 'cli-clip', path.join(dir, 'broken.png'));
  expect(none.status).toBe(1);
  expect(none.stderr).toMatch(/none of the 1 file\(s\) is a readable image/);
}, 120_000);
