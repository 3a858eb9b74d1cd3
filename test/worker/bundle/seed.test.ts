/**
 * Seeding an app's models folder from the shipped bundles: missing ones are copied whole, what the
 * app holds (its fine-tuned versions, a seeded bundle) is never touched, a newer shipped version
 * arrives beside the old one, and a copy in progress is never listed as a bundle.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listBundles, resolveBundle, SHIPPED_MODELS } from '../../../worker/bundle/load';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { seedModels } from '../../../worker/bundle/seed';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-seed-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const versions = (dir: string) =>
  listBundles(dir)
    .map((b) => `${b.name}@${b.version}:${path.basename(b.dir)}`)
    .sort();

test('the shipped bundles are copied into an empty app folder, file for file, and a second seeding adds nothing', () => {
  const app = path.join(root, 'app', '.altbridge', 'models');
  const added = seedModels(app);
  expect(added.map((a) => path.basename(a)).sort()).toEqual(
    listBundles(SHIPPED_MODELS)
      .map((b) => path.basename(b.dir))
      .sort(),
  );
  expect(versions(app)).toEqual(versions(SHIPPED_MODELS));
  const shipped = resolveBundle('shapes-mini', SHIPPED_MODELS);
  for (const f of fs.readdirSync(shipped)) expect(fs.statSync(path.join(app, 'shapes-mini', f)).size).toBe(fs.statSync(path.join(shipped, f)).size);
  expect(seedModels(app)).toEqual([]);
});

test("the app's own bundles stay as they are; a newer shipped version lands beside the old one and outranks it", () => {
  const shipped = path.join(root, 'shipped');
  const app = path.join(root, 'app2');
  makeRandomBundle(path.join(shipped, 'random-tiny'), 'tiny', 1);
  expect(seedModels(app, shipped).map((a) => path.basename(a))).toEqual(['random-tiny']);
  // The app fine-tunes its own version; the package is upgraded with a newer shipped one under the same folder name.
  makeRandomBundle(path.join(app, 'random-tiny-0.0.3'), 'tiny', 3);
  const own = fs.readFileSync(path.join(app, 'random-tiny-0.0.3', 'manifest.json'), 'utf8');
  fs.rmSync(path.join(shipped, 'random-tiny'), { recursive: true });
  makeRandomBundle(path.join(shipped, 'random-tiny'), 'tiny', 2);
  expect(seedModels(app, shipped).map((a) => path.basename(a))).toEqual(['random-tiny-0.0.2']);
  expect(versions(app)).toEqual(['random-tiny@0.0.1:random-tiny', 'random-tiny@0.0.2:random-tiny-0.0.2', 'random-tiny@0.0.3:random-tiny-0.0.3']);
  expect(fs.readFileSync(path.join(app, 'random-tiny-0.0.3', 'manifest.json'), 'utf8')).toBe(own);
  expect(resolveBundle('random-tiny', app)).toBe(path.join(app, 'random-tiny-0.0.3'));
});

test('a copy still in progress (a dot folder) is not a bundle', () => {
  const app = path.join(root, 'app3');
  makeRandomBundle(path.join(app, '.seeding-123-random-tiny'), 'tiny', 1);
  expect(listBundles(app)).toEqual([]);
});

test('seeding the shipped folder itself (a checkout with no app folder) changes nothing', () => {
  expect(seedModels(SHIPPED_MODELS)).toEqual([]);
});
