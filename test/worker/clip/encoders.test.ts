/** CLIP encoder sessions from a bundle: text and image paths, and files that break the contract. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../../../worker/bundle/load';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { ClipEncoders } from '../../../worker/clip/encoders';
import { ClipTokenizer } from '../../../worker/clip/tokenizer';
import { runtimeConfig } from '../../../worker/runtime';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-enc-'));
const dir = path.join(root, 'b');
beforeAll(() => makeRandomBundle(dir, 'tiny', 1));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('text embeddings ignore padding; images give [B, embedDim]', async () => {
  const b = loadBundle(dir);
  const m = b.manifest.clip;
  const enc = await ClipEncoders.open(b.file(m.vision), b.file(m.text), { imageSize: m.imageSize, embedDim: m.embedDim }, runtimeConfig());
  const tok = ClipTokenizer.load(b.file(m.tokenizer));
  const texts = ['a red circle above a blue star.', 'a dog.'];
  const full = tok.encode(texts, { maxLength: m.contextLength });
  const a = await enc.texts(full.ids, full.mask, full.batch, full.length);
  expect(a).toHaveLength(2 * m.embedDim);
  // The same texts, padded with another id: same embeddings.
  const other = full.ids.map((id, i) => (full.mask[i] === 0n ? 5n : id));
  const b2 = await enc.texts(other, full.mask, full.batch, full.length);
  a.forEach((v, i) => expect(b2[i]).toBeCloseTo(v, 5));
  const img = await enc.images(new Float32Array(3 * 3 * m.imageSize * m.imageSize).fill(0.5), 3);
  expect(img).toHaveLength(3 * m.embedDim);
  expect(img.every(Number.isFinite)).toBe(true);
  await enc.close();
});

test('an encoder file that breaks the contract is named with what is wrong', async () => {
  const b = loadBundle(dir);
  const m = b.manifest.clip;
  const open = (vision: string, text: string, size = m.imageSize) => ClipEncoders.open(vision, text, { imageSize: size, embedDim: m.embedDim }, runtimeConfig());
  await expect(open(b.file(m.text), b.file(m.text))).rejects.toThrow(`CLIP file ${b.file(m.text)} has no input "pixel_values"`);
  await expect(open(b.file(m.vision), b.file(m.text), 224)).rejects.toThrow(/input "pixel_values" is \[B,3,32,32\], expected \[any,3,224,224\]/);
  const junk = path.join(root, 'junk.onnx');
  fs.writeFileSync(junk, 'not a model');
  await expect(open(junk, b.file(m.text))).rejects.toThrow(`CLIP file ${junk} cannot be loaded`);
});
