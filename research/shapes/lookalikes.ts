/**
 * Look-alike scenes for the mini-CLIP: each training scene beside a copy one fact away (an object's
 * shape replaced, two objects' colours swapped, or an object taken away), rendered and trained in
 * the same batch. Linear probes found the first CLIPs' embeddings, of images and of captions that
 * name every shape alike, hold which colours a scene has but hardly which shapes: colours and the
 * background tell a batch's scenes apart, so InfoNCE never needs shape. A look-alike in the batch
 * can be told apart by the changed fact alone. Each image keeps only its captions that are false
 * of the other, so every pairing turns on that fact.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../../worker/train/rng';
import { digest } from '../stage-stamp';
import { captionsFor } from './captions';
import { ShapesItem } from './data';
import { isFalse } from './errors';
import { pairRenderRng, STREAM } from './generate';
import { renderScene } from './render';
import { Scene, SHAPES } from './scene';

/** Images per look-alike group: a scene and its look-alike. */
export const LOOKALIKE_GROUP = 2;
/** Edits tried per scene before it is refused. */
const TRIES = 50;

type Edit = (s: Scene, rng: Rng) => Scene | null;
const withObjects = (s: Scene, objects: Scene['objects']): Scene => ({ ...s, objects });

const EDITS: Edit[] = [
  (s, rng) => {
    const k = rng.int(s.objects.length);
    const others = SHAPES.filter((x) => x !== s.objects[k].shape);
    return withObjects(
      s,
      s.objects.map((o, i) => (i === k ? { ...o, shape: others[rng.int(others.length)] } : o)),
    );
  },
  (s, rng) => {
    const a = rng.int(s.objects.length);
    const bs = s.objects.flatMap((o, i) => (o.colour !== s.objects[a].colour ? [i] : []));
    if (!bs.length) return null;
    const b = bs[rng.int(bs.length)];
    return withObjects(
      s,
      s.objects.map((o, i) => (i === a ? { ...o, colour: s.objects[b].colour } : i === b ? { ...o, colour: s.objects[a].colour } : o)),
    );
  },
  (s, rng) => {
    if (s.objects.length < 2) return null;
    const k = rng.int(s.objects.length);
    return withObjects(
      s,
      s.objects.filter((_, i) => i !== k),
    );
  },
];

/** `captions` that are false of `other`, repeated in order to `k`. */
function telling(captions: string[], other: Scene, k: number): string[] {
  const kept = captions.filter((c) => isFalse(c, other));
  return Array.from({ length: k }, (_, i) => kept[i % kept.length]);
}

/**
 * Scene i's look-alike and the captions of both that tell them apart, or null when no tried edit
 * leaves each with such a caption (a changed shape no caption names, say).
 */
export function lookalike(it: ShapesItem, seed: number, i: number): { scene: Scene; captions: string[]; own: string[] } | null {
  const rng = new Rng(seed, STREAM.lookalike, i);
  for (let t = 0; t < TRIES; t++) {
    const scene = EDITS[rng.int(EDITS.length)](it.scene, rng);
    if (!scene) continue;
    let captions: string[];
    try {
      captions = captionsFor(scene, new Rng(seed, STREAM.lookalike, i, t + 1));
    } catch {
      continue; // fewer than five distinct captions for this scene
    }
    if (captions.some((c) => isFalse(c, it.scene)) && it.captions.some((c) => isFalse(c, scene))) {
      const k = it.captions.length;
      return { scene, captions: telling(captions, it.scene, k), own: telling(it.captions, scene, k) };
    }
  }
  return null;
}

/**
 * The pairs with each scene's look-alike after it (rendered into `dir`, kept there for a rerun of
 * the same pairs), drawn with pair i's render stream so that only the edit differs: groups of
 * LOOKALIKE_GROUP for clip training's `group`. `items` must be the first pairs, in order.
 */
export async function withLookalikes(items: ShapesItem[], seed: number, size: number, dir: string): Promise<ShapesItem[]> {
  const stamp = path.join(dir, 'options.json');
  const want = digest([seed, size, items.map((it) => it.scene)]);
  const fresh = !(fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want);
  if (fresh) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const out: ShapesItem[] = [];
  for (let i = 0; i < items.length; i++) {
    const twin = lookalike(items[i], seed, i);
    if (!twin) {
      // Captions that name nothing an edit can change ("a single shape on a grey backdrop"; 1 in 4750 of
      // the default pairs): the next scene, as it is, keeps the group whole.
      out.push(items[i], items[(i + 1) % items.length]);
      continue;
    }
    const image = path.join(dir, `${String(i).padStart(6, '0')}.png`);
    if (fresh) fs.writeFileSync(image, await renderScene(twin.scene, size, pairRenderRng(seed, i)));
    out.push({ ...items[i], captions: twin.own }, { image, captions: twin.captions, scene: twin.scene });
  }
  fs.writeFileSync(stamp, want);
  return out;
}
