/** Bundles: made reproducibly, listed, loaded by path or name, and refused with the bad file named. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listBundles, loadBundle, resolveBundle } from '../../../worker/bundle/load';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { updateBundle } from '../../../worker/bundle/write';
import { readTensorFile } from '../../../worker/train/tensor-file';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-bundles-'));
const dir = path.join(root, 'tiny');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeAll(() => makeRandomBundle(dir, 'tiny', 3));

const fresh = (name: string) => {
  const d = path.join(root, name);
  fs.cpSync(dir, d, { recursive: true });
  return d;
};

test('a random bundle loads by path, by name and by name@version, and is listed', () => {
  const b = loadBundle(dir);
  expect(b.manifest.name).toBe('random-tiny');
  expect(b.imageMean).toHaveLength(16);
  expect(resolveBundle('random-tiny', root)).toBe(dir);
  expect(resolveBundle('random-tiny@0.0.3', root)).toBe(dir);
  expect(() => resolveBundle('random-tiny@9', root)).toThrow(/bundle "random-tiny@9" not found in .* \(have: random-tiny@0\.0\.3\)/);
  expect(listBundles(root).map((x) => [x.name, x.version, x.problem])).toEqual([['random-tiny', '0.0.3', null]]);
});

test('the same command makes the same files (seeded)', () => {
  const again = path.join(root, 'again');
  makeRandomBundle(again, 'tiny', 3);
  const a = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const b = JSON.parse(fs.readFileSync(path.join(again, 'manifest.json'), 'utf8'));
  expect(b.files).toEqual(a.files);
  fs.rmSync(again, { recursive: true });
});

test('an altered, missing or mis-shaped file is refused with its name', () => {
  const altered = fresh('altered');
  const dec = path.join(altered, 'decoder.safetensors');
  const bytes = fs.readFileSync(dec);
  bytes[bytes.length - 3] ^= 0xff;
  fs.writeFileSync(dec, bytes);
  expect(() => loadBundle(altered)).toThrow(`bundle file ${dec} does not match its sha256 in the manifest`);

  const missing = fresh('missing');
  fs.rmSync(path.join(missing, 'clip', 'tokenizer.json'));
  expect(() => loadBundle(missing)).toThrow(`bundle file ${path.join(missing, 'clip', 'tokenizer.json')} is missing`);
  expect(listBundles(root).find((b) => b.dir === missing)!.problem).toMatch(/missing clip\/tokenizer\.json/);

  const shaped = fresh('shaped');
  const t = readTensorFile(path.join(shaped, 'denoiser.safetensors')).tensors;
  const first = Object.keys(t)[0];
  t[first] = { dtype: 'float32', shape: [1], data: new Float32Array(1) };
  updateBundle(shaped, { 'denoiser.safetensors': { tensors: t } });
  expect(() => loadBundle(shaped)).toThrow(new RegExp(`denoiser\\.safetensors: ${first.replace(/\./g, '\\.')} is float32 \\[1\\], the network needs float32 \\[`));
});

test('a malformed manifest names the field', () => {
  const bad = fresh('bad-manifest');
  const file = path.join(bad, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete m.clip.imageSize;
  fs.writeFileSync(file, JSON.stringify(m));
  expect(() => loadBundle(bad)).toThrow(/manifest\.json field "clip\.imageSize" must be a number/);
  fs.writeFileSync(file, '{ not json');
  expect(() => loadBundle(bad)).toThrow(/manifest\.json is not valid JSON/);
});
