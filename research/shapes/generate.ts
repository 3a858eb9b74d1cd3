/**
 * Writes a ShapesWorld data set (the quality harness's world) in three parts that share no scene content
 * (a scene's content is its key: background and the objects' colours, sizes and shapes):
 *   pairs/     PNGs + pairs.jsonl   {image, captions[5], scene}   (mini-CLIP contrastive training)
 *   texts.txt  captions only, one per line, from scenes of their own (decoder and denoiser)
 *   heldout/   PNGs + heldout.jsonl {image, references[5], scene} (evaluation)
 * Every draw comes from a stream keyed by (seed, purpose, part, index), so output is byte-identical
 * for a seed.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../../worker/train/rng';
import { captionsFor } from './captions';
import { renderScene } from './render';
import { Scene, sampleScene, sceneKey } from './scene';

export interface ShapesOptions {
  seed: number;
  /** Image-caption pairs. */
  pairs: number;
  /** Scenes whose 5 captions go to texts.txt (so 5 lines each). */
  texts: number;
  /** Held-out images with references. */
  heldOut: number;
  /** Image side in pixels. */
  size: number;
  /**
   * Scenes drawn independently, content repeats allowed, each part from the keys that hash to it, the
   * last `val` pairs from keys of their own (so a validation split shares no content with the pairs
   * before it). When absent every key is used once, first come first served: a large draw runs out of
   * one-object scenes (2304 keys) and the parts' mix of object counts drifts.
   */
  iid?: { val: number };
}

export interface ShapesSummary {
  pairs: number;
  textLines: number;
  heldOut: number;
  ms: number;
}

/** The seeded random streams of ShapesWorld, one id each (a seed and a stream id key an Rng). */
export const STREAM = { scene: 1, caption: 2, render: 3, hardNegative: 4, wholeScene: 5, lookalike: 6 } as const;
const enum Part {
  Pairs = 0,
  Texts = 1,
  HeldOut = 2,
  /** The validation pairs under `iid`: streams of their own, so they do not change with the number of pairs. */
  Val = 3,
}
/** Under `iid`, the share of all scene keys whose content may go to each part (indexed by Part). */
const PART_SHARES = [0.6, 0.2, 0.1, 0.1];

/** The part a scene key hashes to for `seed` under `iid`. */
function partOf(seed: number, key: string): Part {
  let u = createHash('sha256').update(`${seed}|${key}`).digest().readUInt32BE(0) / 2 ** 32;
  for (let p = 0; p < PART_SHARES.length - 1; p++) if ((u -= PART_SHARES[p]) < 0) return p;
  return PART_SHARES.length - 1;
}

/** The streams a part's scene i is drawn, rendered and captioned from. */
interface Stream {
  part: Part;
  index: number;
}
type Streams = (i: number) => Stream;
const plain =
  (part: Part): Streams =>
  (index) => ({ part, index });

/** Draws of a scene before a part gives up on finding one it may take. */
const MAX_DRAWS = 10000;

/** Images rendered at once: enough to keep libvips' threads busy without piling up buffers. */
const IN_FLIGHT = 8;

/** `n` scenes whose keys are new to `used`; resamples on a clash, so parts stay disjoint. */
function uniqueScenes(seed: number, part: Part, n: number, used: Set<string>): Scene[] {
  const scenes: Scene[] = [];
  for (let i = 0; i < n; i++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt === MAX_DRAWS) throw new Error('ShapesWorld: ran out of distinct scenes');
      const scene = sampleScene(new Rng(seed, STREAM.scene, part, i, attempt));
      const key = sceneKey(scene);
      if (used.has(key)) continue;
      used.add(key);
      scenes.push(scene);
      break;
    }
  }
  return scenes;
}

/** `n` scenes drawn independently, each from the keys that hash to its stream's part (resampling the others). */
function hashedScenes(seed: number, n: number, streams: Streams): Scene[] {
  return Array.from({ length: n }, (_, i) => {
    const { part, index } = streams(i);
    for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
      const scene = sampleScene(new Rng(seed, STREAM.scene, part, index, attempt));
      if (partOf(seed, sceneKey(scene)) === part) return scene;
    }
    throw new Error(`ShapesWorld: no scene hashed to its part in ${MAX_DRAWS} draws`);
  });
}

/** The stream that renders image i of a part: texture angle, shape tilt and noise. */
const renderRng = (seed: number, part: Part, i: number) => new Rng(seed, STREAM.render, part, i);
/** Pair i's render stream, so that a look-alike of it is drawn with the same angles and noise. */
export const pairRenderRng = (seed: number, i: number) => renderRng(seed, Part.Pairs, i);

const imageName = (i: number) => `${String(i).padStart(6, '0')}.png`;

/** Renders and writes a part's images, then its jsonl with the captions under `field`. */
async function writeImagePart(dir: string, name: string, field: string, scenes: Scene[], seed: number, streams: Streams, size: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (let start = 0; start < scenes.length; start += IN_FLIGHT) {
    const batch = scenes.slice(start, start + IN_FLIGHT).map(async (scene, j) => {
      const i = start + j;
      const { part, index } = streams(i);
      const png = await renderScene(scene, size, renderRng(seed, part, index));
      await fs.promises.writeFile(path.join(dir, imageName(i)), png);
    });
    await Promise.all(batch);
  }
  const lines = scenes.map((scene, i) => {
    const { part, index } = streams(i);
    return JSON.stringify({ image: imageName(i), [field]: captionsFor(scene, new Rng(seed, STREAM.caption, part, index)), scene });
  });
  fs.writeFileSync(path.join(dir, name), lines.map((l) => l + '\n').join(''));
}

/** The streams of the pairs part: under `iid` the last `val` pairs have their own. */
function pairStreams(opts: ShapesOptions): Streams {
  const { iid } = opts;
  if (!iid) return plain(Part.Pairs);
  if (iid.val >= opts.pairs) throw new Error(`ShapesWorld: a validation split of ${iid.val} leaves no pairs to train on`);
  const train = opts.pairs - iid.val;
  return (i) => (i < train ? { part: Part.Pairs, index: i } : { part: Part.Val, index: i - train });
}

/** The scenes of the three parts, in file order; exported so tests can see texts.txt's scenes. */
export function partScenes(opts: ShapesOptions): { pairs: Scene[]; texts: Scene[]; heldOut: Scene[] } {
  if (opts.iid) {
    return {
      pairs: hashedScenes(opts.seed, opts.pairs, pairStreams(opts)),
      texts: hashedScenes(opts.seed, opts.texts, plain(Part.Texts)),
      heldOut: hashedScenes(opts.seed, opts.heldOut, plain(Part.HeldOut)),
    };
  }
  const used = new Set<string>();
  return {
    pairs: uniqueScenes(opts.seed, Part.Pairs, opts.pairs, used),
    texts: uniqueScenes(opts.seed, Part.Texts, opts.texts, used),
    heldOut: uniqueScenes(opts.seed, Part.HeldOut, opts.heldOut, used),
  };
}

/** Whether two data options give the same held-out images: under `iid` they come from streams of their own, otherwise after the other parts' scenes. */
export const sameHeldOut = (a: ShapesOptions, b: ShapesOptions): boolean =>
  !!a.iid === !!b.iid && (a.iid ? a.seed === b.seed && a.heldOut === b.heldOut && a.size === b.size : JSON.stringify(a) === JSON.stringify(b));

export async function generateShapes(outDir: string, opts: ShapesOptions): Promise<ShapesSummary> {
  const t0 = Date.now();
  const { pairs: pairScenes, texts: textScenes, heldOut: heldScenes } = partScenes(opts);

  fs.mkdirSync(outDir, { recursive: true });
  await writeImagePart(path.join(outDir, 'pairs'), 'pairs.jsonl', 'captions', pairScenes, opts.seed, pairStreams(opts), opts.size);
  const texts = textScenes.flatMap((scene, i) => captionsFor(scene, new Rng(opts.seed, STREAM.caption, Part.Texts, i)));
  fs.writeFileSync(path.join(outDir, 'texts.txt'), texts.map((l) => l + '\n').join(''));
  await writeImagePart(path.join(outDir, 'heldout'), 'heldout.jsonl', 'references', heldScenes, opts.seed, plain(Part.HeldOut), opts.size);
  return { pairs: pairScenes.length, textLines: texts.length, heldOut: heldScenes.length, ms: Date.now() - t0 };
}
