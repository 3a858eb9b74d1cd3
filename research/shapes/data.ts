/** A ShapesWorld folder's parts, and the sizes of the mini-CLIP trained on them. */
import * as fs from 'fs';
import * as path from 'path';
import { MiniClipConfig } from '../mini-clip';
import { Scene } from './scene';

export const SHAPES_CLIP: MiniClipConfig = {
  vision: { imageSize: 64, patch: 16, width: 96, layers: 2, heads: 4, mlpRatio: 4, embedDim: 64 },
  text: { contextLength: 32, width: 96, layers: 2, heads: 4, mlpRatio: 4, embedDim: 64 },
  vocabSize: 1000,
};

export interface ShapesItem {
  image: string;
  captions: string[];
  scene: Scene;
}

/** pairs.jsonl or heldout.jsonl of a ShapesWorld folder, image paths made absolute. */
export function readShapesPart(dir: string, part: 'pairs' | 'heldout'): ShapesItem[] {
  const file = path.join(dir, part, `${part}.jsonl`);
  if (!fs.existsSync(file)) throw new Error(`ShapesWorld: ${file} does not exist (make the data with \`altbridge shapes generate\`)`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as { image: string; captions?: string[]; references?: string[]; scene: Scene };
      return { image: path.join(dir, part, r.image), captions: r.captions ?? r.references ?? [], scene: r.scene };
    });
}
