/**
 * Bundle names and versions become folder names: the one check refuses anything that is not one
 * safe path segment, wherever a name arrives (a reference, a manifest, a bundle's file list).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle, resolveBundle } from '../../../worker/bundle/load';
import { checkBundleName, checkBundleVersion, parseBundleRef } from '../../../worker/bundle/names';
import { makeRandomBundle } from '../../../worker/bundle/random';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-names-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('names: lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, one segment', () => {
  for (const ok of ['shapes-mini', 'coco', 'clip-vit-b32', 'a', '0', 'v1.2_x']) expect(checkBundleName(ok)).toBe(ok);
  for (const bad of ['', '../x', '..', '.hidden', '-x', '_x', 'a/b', 'a\\b', 'Shapes', 'a b', 'a@b', 'x\0', 'a'.repeat(101), 42, undefined]) {
    expect(() => checkBundleName(bad)).toThrow(RangeError);
  }
  expect(() => checkBundleName('../x')).toThrow('a bundle name is lowercase letters, digits, ".", "_" and "-", starting with a letter or digit (at most 100 characters), got "../x"');
});

test('versions: letters, digits, ".", "_", "+" and "-", starting with a letter or digit', () => {
  for (const ok of ['1.0.0', '2.0.0-rc.1', '1.0.0+build.7', 'v2', '2024.05']) expect(checkBundleVersion(ok)).toBe(ok);
  for (const bad of ['', '../1', '.1', '1/2', '1 0', '-1', 'x'.repeat(101), 1]) expect(() => checkBundleVersion(bad)).toThrow(RangeError);
});

test('references: name or name@version, each part checked', () => {
  expect(parseBundleRef('shapes-mini')).toEqual({ name: 'shapes-mini', version: null });
  expect(parseBundleRef('shapes-mini@1.0.1')).toEqual({ name: 'shapes-mini', version: '1.0.1' });
  for (const bad of ['../x@1.0.0', 'x@../1', 'x@', '@1.0.0', 'x@1@2', null]) expect(() => parseBundleRef(bad)).toThrow(RangeError);
});

test('loading refuses a reference that is neither a bundle folder nor a bundle name, a manifest with an unsafe name, and files outside the bundle', () => {
  expect(() => resolveBundle('../../etc@1', root)).toThrow(/bundle "\.\.\/\.\.\/etc@1" not found: no manifest\.json there, and not a bundle name \(a bundle name is/);

  const named = path.join(root, 'named');
  makeRandomBundle(named, 'tiny', 1);
  const manifest = JSON.parse(fs.readFileSync(path.join(named, 'manifest.json'), 'utf8'));
  fs.writeFileSync(path.join(named, 'manifest.json'), JSON.stringify({ ...manifest, name: '../escape' }));
  expect(() => loadBundle(named)).toThrow(/manifest\.json: a bundle name is .*got "\.\.\/escape"/);

  const outside = path.join(root, 'outside');
  makeRandomBundle(outside, 'tiny', 1);
  const [rel, info] = Object.entries(manifest.files)[0];
  fs.copyFileSync(path.join(outside, rel), path.join(root, 'stolen'));
  fs.writeFileSync(path.join(outside, 'manifest.json'), JSON.stringify({ ...manifest, files: { ...manifest.files, '../stolen': info } }));
  expect(() => loadBundle(outside)).toThrow(/field "files\.\.\.\/stolen" must be a path inside the bundle folder/);
});
