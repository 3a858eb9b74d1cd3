/**
 * `caption --no-repeat N` on the committed default bundle: a ShapesWorld scene on which the decoder
 * says "a single orange square" twice keeps that with --no-repeat 0 and loses it by default.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderScene } from '../../research/shapes/render';
import { sampleScene } from '../../research/shapes/scene';
import { Rng } from '../../worker/train/rng';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const BUNDLE = path.join(__dirname, '..', '..', 'models', 'shapes-mini');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-norepeat-cli-'));
const image = path.join(root, 'scene.png');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// Scene 13 of `altbridge demo`'s default seed, 64 px as the bundle's CLIP takes it.
beforeAll(async () => fs.writeFileSync(image, await renderScene(sampleScene(new Rng(2026, 1, 13)), 64, new Rng(2026, 2, 13))));

const caption = (...args: string[]) => spawnSync(process.execPath, [BIN, 'caption', '--bundle', BUNDLE, ...args, image], { encoding: 'utf8' });
const twice = (text: string) => (text.match(/a single orange square/g) ?? []).length;

test('--no-repeat 0 lets the phrase repeat; the default does not', () => {
  const off = caption('--no-repeat', '0');
  expect(off.status).toBe(0);
  expect(twice(off.stdout)).toBe(2);
  const on = caption();
  expect(on.status).toBe(0);
  expect(twice(on.stdout)).toBe(1);
});

test('a negative --no-repeat is refused', () => {
  const r = caption('--no-repeat=-1');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/--no-repeat must be a whole number >= 0/);
});
