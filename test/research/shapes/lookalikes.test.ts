/**
 * Look-alike scenes: each is its scene with one fact changed (a shape, two colours swapped, an
 * object gone), drawn with the scene's own render stream; each image of a pair keeps only captions
 * true of it and false of the other; a scene no edit can tell apart goes with the next one; the
 * draws are the seed's, and a rerun reuses the images.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readShapesPart } from '../../../research/shapes/data';
import { isFalse } from '../../../research/shapes/errors';
import { generateShapes } from '../../../research/shapes/generate';
import { LOOKALIKE_GROUP, withLookalikes } from '../../../research/shapes/lookalikes';
import { SceneObject } from '../../../research/shapes/scene';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalikes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What changed from `a` to `b`, in words: the test's own reading of an edit. */
function edit(a: SceneObject[], b: SceneObject[]): string {
  if (b.length === a.length - 1) return b.every((o) => a.some((x) => JSON.stringify(x) === JSON.stringify(o))) ? 'removed' : 'other';
  if (b.length !== a.length) return 'other';
  const diff = a.flatMap((o, i) => (JSON.stringify(o) === JSON.stringify(b[i]) ? [] : [i]));
  const same = (o: SceneObject, p: SceneObject, keys: (keyof SceneObject)[]) => keys.every((k) => o[k] === p[k]);
  if (diff.length === 1 && same(a[diff[0]], b[diff[0]], ['colour', 'size', 'x', 'y']) && a[diff[0]].shape !== b[diff[0]].shape) return 'shape';
  if (diff.length === 2) {
    const [i, j] = diff;
    if (same(a[i], b[i], ['shape', 'size', 'x', 'y']) && same(a[j], b[j], ['shape', 'size', 'x', 'y']) && a[i].colour === b[j].colour && a[j].colour === b[i].colour) return 'swap';
  }
  return 'other';
}

test('each scene is followed by its look-alike, one fact away, with captions that tell the two apart', async () => {
  await generateShapes(dir, { seed: 3, pairs: 60, texts: 1, heldOut: 1, size: 32 });
  const items = readShapesPart(dir, 'pairs');
  const out = await withLookalikes(items, 3, 32, path.join(dir, 'lookalikes'));
  expect(out).toHaveLength(items.length * LOOKALIKE_GROUP);
  const kinds = new Set<string>();
  items.forEach((it, i) => {
    const [own, twin] = [out[2 * i], out[2 * i + 1]];
    expect(own.image).toBe(it.image);
    expect(own.scene).toEqual(it.scene);
    expect(twin.scene.background).toEqual(it.scene.background);
    kinds.add(edit(it.scene.objects, twin.scene.objects));
    for (const [a, b] of [
      [own, twin],
      [twin, own],
    ]) {
      expect(a.captions).toHaveLength(it.captions.length);
      for (const c of a.captions) expect([c, isFalse(c, a.scene), isFalse(c, b.scene)]).toEqual([c, false, true]);
    }
    expect(own.captions.every((c) => it.captions.includes(c))).toBe(true);
    expect(fs.readFileSync(twin.image).equals(fs.readFileSync(it.image))).toBe(false);
  });
  expect([...kinds].sort()).toEqual(['removed', 'shape', 'swap']);

  // The same pairs again: the same look-alikes, and the images already drawn are kept.
  const first = fs.statSync(out[1].image).mtimeMs;
  const again = await withLookalikes(items, 3, 32, path.join(dir, 'lookalikes'));
  expect(again).toEqual(out);
  expect(fs.statSync(again[1].image).mtimeMs).toBe(first);
  // A scene whose captions name nothing an edit could change is grouped with the next scene as it is.
  const vague = { ...items[0], scene: { ...items[0].scene, objects: items[0].scene.objects.slice(0, 1) }, captions: Array(5).fill('a picture of a single shape.') };
  const grouped = await withLookalikes([vague, ...items.slice(1)], 3, 32, path.join(dir, 'vague'));
  expect(grouped.slice(0, 2)).toEqual([vague, items[1]]);
  const facts = (xs: typeof out) => xs.map((x) => [x.scene, x.captions]);
  expect(facts(grouped.slice(2))).toEqual(facts(out.slice(2)));
  // Another seed draws other edits.
  const other = await withLookalikes(items, 4, 32, path.join(dir, 'lookalikes'));
  expect(other.map((o) => o.scene)).not.toEqual(out.map((o) => o.scene));
});
