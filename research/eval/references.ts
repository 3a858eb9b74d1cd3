/**
 * Evaluation sets: a folder of images plus a references file (JSON object: image file name ->
 * list of reference captions), as COCO-style data is usually shared; or a ShapesWorld split.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readShapesPart } from '../shapes/data';
import { splitPairs } from '../shapes/build';

export interface EvalItem {
  file: string;
  references: string[];
}

export function readReferences(file: string, imagesDir: string): EvalItem[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`references ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `not valid JSON (${(err as Error).message})`}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`references ${file}: must be a JSON object of image file name -> list of captions`);
  const items = Object.entries(raw as Record<string, unknown>).map(([image, refs]) => {
    if (!Array.isArray(refs) || refs.length === 0 || !refs.every((r) => typeof r === 'string' && r.trim())) {
      throw new Error(`references ${file}: "${image}" must map to a non-empty list of non-empty captions`);
    }
    return { file: path.join(imagesDir, image), references: refs as string[] };
  });
  if (items.length === 0) throw new Error(`references ${file}: no images listed`);
  const missing = items.filter((it) => !fs.existsSync(it.file));
  if (missing.length) throw new Error(`references ${file}: ${missing.length} listed image(s) not in ${imagesDir}, e.g. ${path.basename(missing[0].file)}`);
  return items;
}

/** A ShapesWorld split: `heldout` (test images) or `val` (pairs kept out of CLIP training). */
export function shapesSplit(dataDir: string, split: string, val: number): EvalItem[] {
  if (split === 'heldout') return readShapesPart(dataDir, 'heldout').map((it) => ({ file: it.image, references: it.captions }));
  if (split === 'val') return splitPairs(dataDir, val).val.map((it) => ({ file: it.image, references: it.captions }));
  throw new Error(`eval: --split must be heldout or val, got "${split}"`);
}
