/**
 * Writes a ShapesWorld data set (the quality harness's world) in three parts that share no scene content:
 *   pairs/     PNGs + pairs.jsonl   {image, captions[5], scene}   (mini-CLIP contrastive training)
 *   texts.txt  captions only, one per line, from scenes of their own (decoder and denoiser)
 *   heldout/   PNGs + heldout.jsonl {image, references[5], scene} (evaluation)
 * Every draw comes from a stream keyed by (seed, purpose, part, index), so output is byte-identical
 * for a seed.
 */
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
}
/** Images rendered at once: enough to keep libvips' threads busy without piling up buffers. */
const IN_FLIGHT = 8;

/** `n` scenes whose keys are new to `used`; resamples on a clash, so parts stay disjoint. */
function uniqueScenes(seed: number, part: Part, n: number, used: Set<string>): Scene[] {
  const scenes: Scene[] = [];
  for (let i = 0; i < n; i++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt === 10000) throw new Error('ShapesWorld: ran out of distinct scenes');
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

/** The stream that renders image i of a part: texture angle, shape tilt and noise. */
const renderRng = (seed: number, part: Part, i: number) => new Rng(seed, STREAM.render, part, i);
/** Pair i's render stream, so that a look-alike of it is drawn with the same angles and noise. */
export const pairRenderRng = (seed: number, i: number) => renderRng(seed, Part.Pairs, i);

const imageName = (i: number) => `${String(i).padStart(6, '0')}.png`;

/** Renders and writes a part's images, then its jsonl with the captions under `field`. */
async function writeImagePart(dir: string, name: string, field: string, scenes: Scene[], seed: number, part: Part, size: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (let start = 0; start < scenes.length; start += IN_FLIGHT) {
    const batch = scenes.slice(start, start + IN_FLIGHT).map(async (scene, j) => {
      const i = start + j;
      const png = await renderScene(scene, size, renderRng(seed, part, i));
      await fs.promises.writeFile(path.join(dir, imageName(i)), png);
    });
    await Promise.all(batch);
  }
  const lines = scenes.map((scene, i) => JSON.stringify({ image: imageName(i), [field]: captionsFor(scene, new Rng(seed, STREAM.caption, part, i)), scene }));
  fs.writeFileSync(path.join(dir, name), lines.map((l) => l + '\n').join(''));
}

/** The scenes of the three parts, in file order; exported so tests can see texts.txt's scenes. */
export function partScenes(opts: ShapesOptions): { pairs: Scene[]; texts: Scene[]; heldOut: Scene[] } {
  const used = new Set<string>();
  return {
    pairs: uniqueScenes(opts.seed, Part.Pairs, opts.pairs, used),
    texts: uniqueScenes(opts.seed, Part.Texts, opts.texts, used),
    heldOut: uniqueScenes(opts.seed, Part.HeldOut, opts.heldOut, used),
  };
}

export async function generateShapes(outDir: string, opts: ShapesOptions): Promise<ShapesSummary> {
  const t0 = Date.now();
  const { pairs: pairScenes, texts: textScenes, heldOut: heldScenes } = partScenes(opts);

  fs.mkdirSync(outDir, { recursive: true });
  await writeImagePart(path.join(outDir, 'pairs'), 'pairs.jsonl', 'captions', pairScenes, opts.seed, Part.Pairs, opts.size);
  const texts = textScenes.flatMap((scene, i) => captionsFor(scene, new Rng(opts.seed, STREAM.caption, Part.Texts, i)));
  fs.writeFileSync(path.join(outDir, 'texts.txt'), texts.map((l) => l + '\n').join(''));
  await writeImagePart(path.join(outDir, 'heldout'), 'heldout.jsonl', 'references', heldScenes, opts.seed, Part.HeldOut, opts.size);
  return { pairs: pairScenes.length, textLines: texts.length, heldOut: heldScenes.length, ms: Date.now() - t0 };
}
