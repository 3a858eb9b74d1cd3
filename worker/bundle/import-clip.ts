/**
 * Imports a Hugging Face CLIP ONNX export (the Xenova/optimum layout: onnx/vision_model.onnx,
 * onnx/text_model.onnx, tokenizer.json, preprocessor_config.json, config.json) as a CLIP-only
 * bundle. Everything is checked on the source first (I/O contract, sizes, one inference per tower,
 * the tokenizer), then the bundle is written to a temporary folder renamed into place, so a failed
 * import leaves nothing behind.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { InferenceSession } from 'onnxruntime-node';
import sharp from 'sharp';
import { ClipEncoders } from '../clip/encoders';
import { CLIP_MEAN, CLIP_STD, preprocessImage } from '../clip/preprocess';
import { CLIP_MAX_LENGTH, ClipTokenizer } from '../clip/tokenizer';
import { openSession, RuntimeConfig, runtimeConfig } from '../runtime';
import { modelsDir } from './load';
import { ClipManifest } from './manifest';
import { checkBundleName, checkBundleVersion, FIRST_VERSION } from './names';
import { BundleContent, writeBundle } from './write';
import { wholeNumberIn } from '../validate';

export type ClipVariant = 'fp32' | 'quantized' | 'fp16';

export interface ImportClipOptions {
  /** Bundle name; default the folder's name. */
  name?: string;
  version?: string;
  /** Bundle folder; default modelsDir()/name. Must not exist. */
  out?: string;
  /** Which of the export's model files: vision_model.onnx (fp32), vision_model_quantized.onnx, vision_model_fp16.onnx. */
  variant?: ClipVariant;
  runtime?: RuntimeConfig;
  command?: string;
}

const SUFFIX: Record<ClipVariant, string> = { fp32: '', quantized: '_quantized', fp16: '_fp16' };

type Json = Record<string, unknown>;
type ValueMetadata = InferenceSession.ValueMetadata;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export async function importClip(folder: string, opts: ImportClipOptions = {}): Promise<ClipManifest> {
  const src = path.resolve(folder);
  const { name, version } = identity(opts, src);
  if (!fs.existsSync(src) || !fs.statSync(src).isDirectory()) throw new Error(`import-clip: ${folder} is not a folder`);
  const out = path.resolve(opts.out ?? path.join(modelsDir(), name));
  if (fs.existsSync(out)) throw new Error(`import-clip: ${out} already exists; choose another --name or --out (bundles are never overwritten)`);

  const files = locate(src, opts.variant ?? 'fp32');
  const pre = readPreprocessor(path.join(src, 'preprocessor_config.json'));
  const config = fs.existsSync(path.join(src, 'config.json')) ? readJson(path.join(src, 'config.json')) : {};
  const textConfig = isObj(config.text_config) ? config.text_config : {};
  const projection = optionalInt(config.projection_dim, 'config.json projection_dim');
  const configContext = optionalInt(textConfig.max_position_embeddings, 'config.json text_config.max_position_embeddings');

  let tokenizer: ClipTokenizer;
  try {
    tokenizer = ClipTokenizer.load(files.tokenizer);
  } catch (err) {
    throw new Error(`import-clip: ${(err as Error).message}`);
  }
  const runtime = opts.runtime ?? runtimeConfig();
  const embedDim = projection ?? (await staticOutputDim(files.vision, 'image_embeds', runtime));
  const enc = await ClipEncoders.open(files.vision, files.text, { imageSize: pre.imageSize, embedDim }, runtime).catch((err: Error) => {
    throw new Error(`import-clip: ${err.message}`);
  });
  let contextLength: number;
  try {
    contextLength = textLength(enc, configContext);
    await tryBothTowers(enc, tokenizer, pre, embedDim, contextLength);
  } finally {
    await enc.close();
  }

  const content: Record<string, BundleContent> = {
    'clip/vision_model.onnx': fs.readFileSync(files.vision),
    'clip/text_model.onnx': fs.readFileSync(files.text),
    'clip/tokenizer.json': fs.readFileSync(files.tokenizer),
  };
  // ClipTokenizer.load reads the pad token from a tokenizer_config.json beside tokenizer.json.
  const tokConfig = path.join(path.dirname(files.tokenizer), 'tokenizer_config.json');
  if (fs.existsSync(tokConfig)) content['clip/tokenizer_config.json'] = fs.readFileSync(tokConfig);
  const fetched = path.join(src, 'FETCHED.json');
  const notes = [`imported from ${src} (${path.relative(src, files.vision)}, ${path.relative(src, files.text)})`];
  if (fs.existsSync(fetched)) notes.push(`FETCHED.json: ${JSON.stringify(readJson(fetched))}`);

  const tmp = `${out}.tmp-${process.pid}`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    const manifest = writeBundle<ClipManifest>(
      tmp,
      {
        name,
        version,
        createdAt: new Date().toISOString(),
        provenance: { corpus: 'none (imported CLIP)', seeds: {}, commands: [opts.command ?? `importClip(${JSON.stringify(folder)})`], notes: notes.join('; ') },
        clip: { vision: 'clip/vision_model.onnx', text: 'clip/text_model.onnx', tokenizer: 'clip/tokenizer.json', imageSize: pre.imageSize, mean: pre.mean, std: pre.std, embedDim, contextLength },
      },
      content,
    );
    fs.renameSync(tmp, out);
    return manifest;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The bundle's name (its folder in the models folder) and version, checked before anything is read; a folder's name may need --name. */
function identity(opts: ImportClipOptions, src: string): { name: string; version: string } {
  try {
    return {
      name: checkBundleName(opts.name ?? path.basename(src), opts.name === undefined ? "the export folder's name; give one with --name" : undefined),
      version: checkBundleVersion(opts.version ?? FIRST_VERSION),
    };
  } catch (err) {
    throw new Error(`import-clip: ${(err as Error).message}`);
  }
}

/** The export's model and tokenizer files, in onnx/ or at the top level; the error lists what is there. */
function locate(src: string, variant: ClipVariant): { vision: string; text: string; tokenizer: string } {
  const find = (names: string[]) => names.map((n) => path.join(src, n)).find((p) => fs.existsSync(p));
  const model = (tower: string) => find([`onnx/${tower}${SUFFIX[variant]}.onnx`, `${tower}${SUFFIX[variant]}.onnx`]);
  const found = { vision: model('vision_model'), text: model('text_model'), tokenizer: find(['tokenizer.json']), pre: find(['preprocessor_config.json']) };
  const missing = [
    !found.vision && `vision_model${SUFFIX[variant]}.onnx (in onnx/ or the top level)`,
    !found.text && `text_model${SUFFIX[variant]}.onnx (in onnx/ or the top level)`,
    !found.tokenizer && 'tokenizer.json',
    !found.pre && 'preprocessor_config.json',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length > 0 || !found.vision || !found.text || !found.tokenizer) {
    const have = [...listing(src, ''), ...listing(src, 'onnx')];
    const combined = have.some((f) => /(^|\/)model\.onnx$/.test(f)) ? '; a combined model.onnx cannot be used: export the vision and text towers separately' : '';
    throw new Error(`import-clip: ${src} is not a Hugging Face CLIP ONNX export: missing ${missing.join(', ')} (found: ${have.join(', ') || 'nothing'})${combined}`);
  }
  return { vision: found.vision, text: found.text, tokenizer: found.tokenizer };
}

function listing(src: string, sub: string): string[] {
  const dir = path.join(src, sub);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .sort()
    .map((f) => (sub ? `${sub}/${f}` : f));
}

function readJson(file: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`import-clip: ${file} is not readable JSON (${(err as Error).message})`);
  }
  if (!isObj(v)) throw new Error(`import-clip: ${file} must hold a JSON object`);
  return v;
}

function optionalInt(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  try {
    return wholeNumberIn(what, v, 1);
  } catch (err) {
    throw new Error(`import-clip: ${(err as Error).message}`);
  }
}

interface Preprocessor {
  imageSize: number;
  mean: [number, number, number];
  std: [number, number, number];
}

/** Image settings; missing fields take CLIPImageProcessor's defaults (224, OpenAI's mean and std) as HF does. */
function readPreprocessor(file: string): Preprocessor {
  const p = readJson(file);
  const bad = (field: string, want: string): never => {
    throw new Error(`import-clip: ${file}: ${field} must be ${want}, got ${JSON.stringify(p[field])}`);
  };
  // The crop is what the encoder sees; `size` alone serves exports without a centre crop.
  const field = p.crop_size !== undefined ? 'crop_size' : 'size';
  const v = p[field] ?? 224;
  const side = (x: unknown) => (Number.isInteger(x) && (x as number) > 0 ? (x as number) : bad(field, 'a whole number, {height, width} or {shortest_edge}'));
  let imageSize: number;
  if (isObj(v) && v.shortest_edge !== undefined) imageSize = side(v.shortest_edge);
  else if (isObj(v)) {
    imageSize = side(v.height);
    if (side(v.width) !== imageSize) bad(field, 'square (CLIP takes S x S images)');
  } else imageSize = side(v);
  const triple = (key: string, dflt: [number, number, number]): [number, number, number] => {
    const t = p[key] ?? dflt;
    if (!Array.isArray(t) || t.length !== 3 || !t.every((x) => typeof x === 'number' && Number.isFinite(x))) return bad(key, 'three numbers');
    return t as [number, number, number];
  };
  const std = triple('image_std', CLIP_STD);
  if (std.some((s) => s <= 0)) bad('image_std', 'positive');
  return { imageSize, mean: triple('image_mean', CLIP_MEAN), std };
}

/** The static last dim of an output, from the model itself, when config.json does not give projection_dim. */
async function staticOutputDim(file: string, output: string, runtime: RuntimeConfig): Promise<number> {
  const s = await openSession(file, runtime).catch((err: Error) => {
    throw new Error(`import-clip: CLIP file ${file} cannot be loaded: ${err.message.split('\n')[0]}`);
  });
  const meta = s.outputMetadata.find((m) => m.name === output);
  await s.release();
  const dim = meta?.isTensor ? meta.shape[meta.shape.length - 1] : undefined;
  if (typeof dim !== 'number') throw new Error(`import-clip: ${file} does not declare the size of "${output}" and config.json gives no projection_dim`);
  return dim;
}

/** The text encoder's sequence length: its static input_ids length, which config.json must agree with, else the config's, else CLIP's 77. */
function textLength(enc: ClipEncoders, configContext: number | undefined): number {
  const meta = enc.text.inputMetadata.find((m) => m.name === 'input_ids');
  const len = meta?.isTensor ? meta.shape[1] : undefined;
  if (typeof len !== 'number') return configContext ?? CLIP_MAX_LENGTH;
  if (configContext !== undefined && configContext !== len) {
    throw new Error(`import-clip: config.json text_config.max_position_embeddings is ${configContext} but the text model takes input_ids of length ${len}`);
  }
  return len;
}

/** altbridge feeds and reads float32 (some fp16 exports take and give float16 instead). */
function checkFloat32(enc: ClipEncoders): void {
  const values: [string, readonly ValueMetadata[], string][] = [
    ['vision', enc.vision.inputMetadata, 'pixel_values'],
    ['vision', enc.vision.outputMetadata, 'image_embeds'],
    ['text', enc.text.outputMetadata, 'text_embeds'],
  ];
  for (const [tower, metas, name] of values) {
    const m = metas.find((v) => v.name === name);
    if (m?.isTensor && m.type !== 'float32') throw new Error(`import-clip: the ${tower} model's "${name}" is ${m.type}; altbridge needs float32 there (try another --variant)`);
  }
}

/** One grey image and one caption through the towers: they run, agree on the embedding size, and give finite numbers. */
async function tryBothTowers(enc: ClipEncoders, tok: ClipTokenizer, pre: Preprocessor, dim: number, contextLength: number): Promise<void> {
  checkFloat32(enc);
  const s = pre.imageSize;
  const grey = await sharp({ create: { width: s, height: s, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .png()
    .toBuffer();
  const pixels = await preprocessImage(grey, { size: s, mean: pre.mean, std: pre.std }, 'grey test image');
  const t = tok.encode(['a photo of a cat.'], { maxLength: contextLength });
  const run = async (tower: string, f: () => Promise<Float32Array>): Promise<void> => {
    let e: Float32Array;
    try {
      e = await f();
    } catch (err) {
      throw new Error(`import-clip: the ${tower} model does not run: ${(err as Error).message.split('\n')[0]}`);
    }
    if (e.length !== dim) throw new Error(`import-clip: the ${tower} model gives ${e.length}-d embeddings, expected ${dim} (projection_dim, and the same for both towers)`);
    if (!e.every(Number.isFinite)) throw new Error(`import-clip: the ${tower} model gives non-finite embeddings`);
  };
  await run('vision', () => enc.images(pixels, 1));
  await run('text', () => enc.texts(t.ids, t.mask, t.batch, t.length));
}
