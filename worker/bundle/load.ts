/**
 * Finding, listing and loading model bundles. Loading checks every file against the manifest's
 * sha256 and every tensor against the shapes the networks declare, and names the bad file.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { decoderTrain } from '../graph/decoder';
import { denoiser } from '../graph/denoiser';
import { Graph, ParamSpec } from '../graph/graph';
import { readTensorFile, StoredTensor } from '../train/tensor-file';
import { checkManifest, Manifest } from './manifest';

export interface Bundle {
  dir: string;
  manifest: Manifest;
  denoiser: Map<string, Float32Array>;
  decoder: Map<string, Float32Array>;
  textMean: Float32Array;
  /** null until ē_img is computed for the bundle (then it cannot bridge). */
  imageMean: Float32Array | null;
  /** Decoder token id -> CLIP tokenizer id. */
  vocab: number[];
  /** Absolute path of a file named in the manifest. */
  file(rel: string): string;
}

/** Where bundles live: ALTBRIDGE_MODELS, else the project's models/ folder. */
export const modelsDir = (): string => process.env.ALTBRIDGE_MODELS ?? path.join(__dirname, '..', '..', 'models');

/** sha256 of a file, read in chunks (model files run to hundreds of MB). */
export function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** A bundle folder from a path, a name in the models folder, or name@version. */
export function resolveBundle(ref: string, dir = modelsDir()): string {
  if (fs.existsSync(path.join(ref, 'manifest.json'))) return path.resolve(ref);
  const [name, version] = ref.split('@');
  const found = listBundles(dir).filter((b) => b.name === name && (!version || b.version === version));
  if (found.length === 0) {
    const known = listBundles(dir).map((b) => `${b.name}@${b.version}`);
    throw new Error(`bundle "${ref}" not found in ${dir}${known.length ? ` (have: ${known.join(', ')})` : ' (no bundles there)'}`);
  }
  return found.sort((a, b) => b.version.localeCompare(a.version, undefined, { numeric: true }))[0].dir;
}

export interface BundleInfo {
  dir: string;
  name: string;
  version: string;
  createdAt: string;
  problem: string | null;
}

/** Bundles in `dir` (folders with a manifest.json), with what is wrong with each, cheaply (no hashing). */
export function listBundles(dir = modelsDir()): BundleInfo[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'manifest.json')))
    .map((d) => {
      const where = path.join(dir, d.name);
      try {
        const m = checkManifest(JSON.parse(fs.readFileSync(path.join(where, 'manifest.json'), 'utf8')), where);
        const missing = Object.keys(m.files).filter((f) => !fs.existsSync(path.join(where, f)));
        const problem = missing.length ? `missing ${missing.join(', ')}` : null;
        return { dir: where, name: m.name, version: m.version, createdAt: m.createdAt, problem };
      } catch (err) {
        return { dir: where, name: d.name, version: '?', createdAt: '?', problem: (err as Error).message };
      }
    });
}

/** Parameter shapes a network declares, for checking stored weights against. */
function specsOf(build: (g: Graph) => unknown): ParamSpec[] {
  const g = new Graph();
  build(g);
  return g.params.map((p) => p.spec);
}

function weights(file: string, tensors: Record<string, StoredTensor>, specs: ParamSpec[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const s of specs) {
    const t = tensors[s.name];
    if (!t) throw new Error(`bundle file ${file}: lacks tensor ${s.name}`);
    if (t.dtype !== 'float32' || t.shape.join() !== s.shape.join()) {
      throw new Error(`bundle file ${file}: ${s.name} is ${t.dtype} [${t.shape}], the network needs float32 [${s.shape}]`);
    }
    out.set(s.name, t.data);
  }
  return out;
}

export function loadBundle(ref: string): Bundle {
  const dir = resolveBundle(ref);
  const manifestPath = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new Error(`bundle ${dir}: manifest.json is not valid JSON (${(err as Error).message})`);
  }
  const m = checkManifest(raw, dir);
  const file = (rel: string) => {
    if (!m.files[rel]) throw new Error(`bundle ${dir}: manifest refers to ${rel}, which its file list does not name`);
    return path.join(dir, rel);
  };
  for (const [rel, info] of Object.entries(m.files)) {
    const p = path.join(dir, rel);
    if (!fs.existsSync(p)) throw new Error(`bundle file ${p} is missing`);
    const size = fs.statSync(p).size;
    if (size !== info.bytes) throw new Error(`bundle file ${p} has ${size} bytes, the manifest says ${info.bytes} (damaged or replaced)`);
    if (sha256File(p) !== info.sha256) throw new Error(`bundle file ${p} does not match its sha256 in the manifest (damaged or replaced)`);
  }
  for (const rel of [m.clip.vision, m.clip.text, m.clip.tokenizer]) file(rel);
  const dim = m.clip.embedDim;
  const dn = m.diffusion.denoiser;
  if (dn.dim !== dim || m.decoder.config.condDim !== dim) throw new Error(`bundle ${dir}: denoiser dim ${dn.dim} and decoder condDim ${m.decoder.config.condDim} must equal clip.embedDim ${dim}`);
  const dnFile = file(m.diffusion.weights);
  const denoiserWeights = weights(dnFile, readTensorFile(dnFile).tensors, specsOf((g) => denoiser(g.input('x', 'float32', ['B', dim]), g.input('t', 'float32', ['B']), dn)));
  const decFile = file(m.decoder.weights);
  const decoderWeights = weights(decFile, readTensorFile(decFile).tensors, specsOf(decoderTrain(m.decoder.config, { smoothing: 0, ignoreIndex: 0 })));
  const meansFile = file(m.means);
  const means = readTensorFile(meansFile).tensors;
  const vector = (name: string, t: StoredTensor | undefined): Float32Array | null => {
    if (!t) return null;
    if (!(t.data instanceof Float32Array) || t.data.length !== dim) throw new Error(`bundle file ${meansFile}: ${name} must be float32 [${dim}]`);
    return t.data;
  };
  const textMean = vector('text_mean', means.text_mean);
  if (!textMean) throw new Error(`bundle file ${meansFile}: lacks text_mean (ē_text)`);
  const vocabFile = file(m.decoder.vocab);
  const vocab = JSON.parse(fs.readFileSync(vocabFile, 'utf8')) as unknown;
  if (!Array.isArray(vocab) || vocab.length !== m.decoder.config.vocab || !vocab.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`bundle file ${vocabFile}: must be an array of ${m.decoder.config.vocab} tokenizer ids`);
  }
  return { dir, manifest: m, denoiser: denoiserWeights, decoder: decoderWeights, textMean, imageMean: vector('image_mean', means.image_mean), vocab, file };
}
