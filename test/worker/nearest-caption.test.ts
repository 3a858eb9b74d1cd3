/**
 * The nearest corpus caption, on a small random-weight bundle with real parts: `addCorpus` stores
 * the corpus matrix (hashed like every file), the Captioner's nearestCaption equals the cosine
 * computed directly from the bridged embedding, a bundle without the matrix loads and gives null,
 * a tampered matrix is refused, and a quality block naming nearestCaption needs the matrix.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { makeRandomBundle } from '../../worker/bundle/random';
import { Captioner, isFailure } from '../../worker/caption';
import { readCorpus } from '../../worker/corpus/read';
import { addCorpus, corpusMatrix } from '../../worker/nearest-caption';
import { QualityCalibration, qualityOf } from '../../worker/quality';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-nearest-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const LINES = ['a red circle left of a blue square.', 'a green triangle.', 'a red circle left of a blue square.', 'two yellow squares.', 'a photo of a cat.', 'a dog on a sofa.'];
const CAL: QualityCalibration = {
  model: 'logistic',
  features: ['confidence', 'nearestCaption'],
  mean: [-1, 0.5],
  scale: [0.5, 0.2],
  coefficients: [1, 2],
  intercept: -0.5,
  threshold: 0.5,
  chosenWith: { rule: 'test' },
};

const copy = (from: string, name: string) => {
  const d = path.join(root, name);
  fs.cpSync(from, d, { recursive: true });
  return d;
};
const editManifest = (dir: string, edit: (m: Record<string, unknown>) => void) => {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(m);
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  return dir;
};

let plain: string;
let withCorpus: string;
let images: string[];
/** Distinct training lines of the corpus (readCorpus keeps some lines out as held-out). */
let distinct: number;
beforeAll(async () => {
  plain = path.join(root, 'plain');
  makeRandomBundle(plain, 'tiny', 5);
  const corpus = path.join(root, 'corpus.txt');
  fs.writeFileSync(corpus, LINES.join('\n') + '\n');
  distinct = new Set((await readCorpus(corpus)).train).size;
  withCorpus = copy(plain, 'with-corpus');
  await addCorpus(withCorpus, corpus, { cacheDir: path.join(root, 'cache') });
  images = await Promise.all(
    ['#d01010', '#10a040'].map(async (c, i) => {
      const f = path.join(root, `image-${i}.png`);
      await sharp({ create: { width: 40, height: 40, channels: 3, background: c } })
        .png()
        .toFile(f);
      return f;
    }),
  );
});

test('corpusMatrix keeps one L2-normalised row per distinct line, and a seeded subsample in corpus order beyond the cap', () => {
  const dim = 3;
  const lines = ['a', 'b', 'a', 'c', 'd', 'e'];
  const z = Float32Array.from({ length: lines.length * dim }, (_, i) => ((i * 7) % 5) + 1);
  const all = corpusMatrix(lines, z, dim, 0);
  expect(all.rows).toBe(5);
  expect(Array.from(all.data.subarray(3, 6))).toEqual(Array.from(z.subarray(3, 6)).map((v, _, r) => Math.fround(v / Math.hypot(...r))));
  const few = corpusMatrix(lines, z, dim, 7, 3);
  expect(few.rows).toBe(3);
  expect(corpusMatrix(lines, z, dim, 7, 3).data).toEqual(few.data);
  for (let r = 0; r < few.rows; r++) expect(Math.hypot(...few.data.subarray(r * dim, (r + 1) * dim))).toBeCloseTo(1, 6);
});

test('the stored matrix is listed and hashed in the manifest, and nearestCaption is the cosine to its nearest row', async () => {
  const bundle = loadBundle(withCorpus);
  const dim = bundle.manifest.clip.embedDim;
  expect(distinct).toBeGreaterThan(1);
  expect(distinct).toBeLessThan(LINES.length);
  expect(bundle.manifest.corpus).toEqual({ file: 'corpus.safetensors', rows: distinct });
  expect(bundle.manifest.files['corpus.safetensors'].bytes).toBeGreaterThan(distinct * dim * 4);
  expect(bundle.corpus!.length).toBe(distinct * dim);
  const c = await Captioner.open(bundle);
  try {
    const results = await c.caption(images, { maxTokens: 6 });
    const { bridged } = await c.embed(images);
    results.forEach((r, k) => {
      if (isFailure(r)) throw new Error(r.error);
      const x = bridged.subarray(k * dim, (k + 1) * dim);
      let best = -Infinity;
      for (let row = 0; row < distinct; row++) {
        const y = bundle.corpus!.subarray(row * dim, (row + 1) * dim);
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += x[i] * y[i];
        best = Math.max(best, dot / Math.hypot(...x) / Math.hypot(...y));
      }
      expect(r.nearestCaption).toBeCloseTo(best, 5);
      expect(r.quality).toBeNull();
    });
  } finally {
    await c.close();
  }
});

test('a bundle without the matrix loads and gives nearestCaption null', async () => {
  const bundle = loadBundle(plain);
  expect(bundle.manifest.corpus).toBeUndefined();
  expect(bundle.corpus).toBeNull();
  const c = await Captioner.open(bundle);
  try {
    const [r] = await c.caption(images.slice(0, 1), { maxTokens: 6 });
    expect(isFailure(r) ? r.error : r.nearestCaption).toBeNull();
  } finally {
    await c.close();
  }
});

test('a tampered or misshapen matrix is refused', () => {
  const altered = copy(withCorpus, 'altered');
  const f = path.join(altered, 'corpus.safetensors');
  const bytes = fs.readFileSync(f);
  bytes[bytes.length - 3] ^= 0x01;
  fs.writeFileSync(f, bytes);
  expect(() => loadBundle(altered)).toThrow(`bundle file ${f} does not match its sha256 in the manifest`);
  const rows = editManifest(copy(withCorpus, 'rows'), (m) => ((m.corpus as { rows: number }).rows = distinct + 1));
  expect(() => loadBundle(rows)).toThrow(`corpus.safetensors: captions must be float32 [${distinct + 1},`);
});

test('a quality block naming nearestCaption needs the matrix, and uses it when there', async () => {
  const without = editManifest(copy(plain, 'q-without'), (m) => (m.quality = CAL));
  expect(() => loadBundle(without)).toThrow(/"quality.features\[1\]" must be a feature the bundle can compute \("nearestCaption" needs the manifest's corpus matrix/);
  const bundle = loadBundle(editManifest(copy(withCorpus, 'q-with'), (m) => (m.quality = CAL)));
  const c = await Captioner.open(bundle);
  try {
    const [r] = await c.captionWithInputs(images.slice(0, 1), { maxTokens: 6 });
    if (isFailure(r)) throw new Error(r.error);
    expect(r.inputs.nearestCaption).toBe(r.nearestCaption);
    expect(r.quality).toBeCloseTo(qualityOf(CAL, r.inputs)!, 12);
  } finally {
    await c.close();
  }
});
