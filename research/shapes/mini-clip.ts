/**
 * The ShapesWorld mini-CLIP: a small ViT image tower and text tower trained contrastively on the
 * data set's image-caption pairs, written as a CLIP-only bundle with the Hugging Face export
 * contract (the product then treats it exactly like a real CLIP).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClipManifest } from '../../worker/bundle/manifest';
import { writeBundle } from '../../worker/bundle/write';
import { makeClipTokenizer, tokenizerJsonText } from '../../worker/clip/make-tokenizer';
import { CLIP_MEAN, CLIP_STD, preprocessBatch } from '../../worker/clip/preprocess';
import { ClipTokenizer } from '../../worker/clip/tokenizer';
import { imageEncoder, textEncoder, TextConfig, VisionConfig } from '../../worker/graph/clip';
import { buildInference } from '../../worker/graph/train-step';
import { CLIP_TRAINING, trainClip } from '../../worker/train/clip';
import { Progress } from '../../worker/train/trainer';
import { Scene } from './scene';

const MINI_VISION: VisionConfig = { imageSize: 64, patch: 16, width: 96, layers: 2, heads: 4, mlpRatio: 4, embedDim: 64 };
const MINI_TEXT = { contextLength: 32, width: 96, layers: 2, heads: 4, mlpRatio: 4, embedDim: 64 };
const VOCAB_SIZE = 1000;

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

/** CLIP-normalised pixels [n, 3, S, S] of image files; any unreadable file is an error here (the data is ours). */
export async function loadPixels(files: string[], size: number): Promise<Float32Array> {
  const px = 3 * size * size;
  const out = new Float32Array(files.length * px);
  for (let start = 0; start < files.length; start += 64) {
    const chunk = files.slice(start, start + 64);
    const pre = await preprocessBatch(chunk, { size, mean: CLIP_MEAN, std: CLIP_STD });
    if (pre.errors.length) throw new Error(`ShapesWorld: ${pre.errors[0].message}`);
    out.set(pre.pixels.subarray(0, chunk.length * px), start * px);
  }
  return out;
}

export interface MiniClipOptions {
  seed: number;
  steps: number;
  runDir: string;
  /** Name and version of the CLIP-only bundle. */
  name: string;
  version: string;
  command: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Trains the mini-CLIP on `items` and writes it to `out` as a CLIP-only bundle. */
export async function buildMiniClip(items: ShapesItem[], out: string, o: MiniClipOptions): Promise<ClipManifest> {
  const captions = items.flatMap((it) => it.captions);
  const k = items[0]?.captions.length ?? 0;
  if (k === 0 || captions.length !== items.length * k) throw new Error('mini-CLIP: every pair needs the same number (> 0) of captions');
  const tokText = tokenizerJsonText(makeClipTokenizer(captions, { vocabSize: VOCAB_SIZE }));
  const tokDir = path.join(o.runDir, 'tokenizer');
  fs.mkdirSync(tokDir, { recursive: true });
  fs.writeFileSync(path.join(tokDir, 'tokenizer.json'), tokText);
  const tok = ClipTokenizer.load(tokDir);
  const text: TextConfig & { length: number } = { ...MINI_TEXT, vocab: tok.vocabSize, length: MINI_TEXT.contextLength };
  const enc = tok.encode(captions, { maxLength: text.length });
  const pixels = await loadPixels(
    items.map((it) => it.image),
    MINI_VISION.imageSize,
  );
  const r = await trainClip({ pixels, ids: enc.ids, mask: enc.mask, k }, MINI_VISION, text, {
    ...CLIP_TRAINING,
    steps: o.steps,
    seed: o.seed,
    runDir: path.join(o.runDir, 'clip'),
    onProgress: o.onProgress,
    signal: o.signal,
  });
  if (r.cancelled) throw new Error('mini-CLIP: cancelled (run again to resume)');
  const last = r.history[r.history.length - 1];
  return writeBundle<ClipManifest>(
    out,
    {
      name: o.name,
      version: o.version,
      createdAt: new Date().toISOString(),
      provenance: {
        corpus: `${items.length} ShapesWorld image-caption pairs (${k} captions each)`,
        seeds: { clip: o.seed },
        commands: [o.command],
        notes: `mini-CLIP trained here: ${r.step} steps of symmetric InfoNCE, batch ${CLIP_TRAINING.batchSize}, final loss ${last.loss.toFixed(3)}, logit scale learnt`,
      },
      clip: {
        vision: 'clip/vision_model.onnx',
        text: 'clip/text_model.onnx',
        tokenizer: 'clip/tokenizer.json',
        imageSize: MINI_VISION.imageSize,
        mean: CLIP_MEAN,
        std: CLIP_STD,
        embedDim: MINI_VISION.embedDim,
        contextLength: text.length,
      },
    },
    {
      'clip/vision_model.onnx': buildInference(imageEncoder(MINI_VISION), r.params),
      'clip/text_model.onnx': buildInference(textEncoder(text), r.params),
      'clip/tokenizer.json': tokText,
    },
  );
}
