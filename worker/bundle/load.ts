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
import { COLOUR_BINS } from '../colour-histogram';
import { COLOUR_PREFIX, DOMAIN_PERCENTILES, DomainModel } from '../domain';
import { readTensorFile, StoredTensor } from '../train/tensor-file';
import { checkClipManifest, checkManifest, ClipManifest, Manifest } from './manifest';
import { FROM_SOURCES, PACKAGE_ROOT } from '../package-root';
import { parseBundleRef } from './names';

/** What every bundle has: CLIP, its tokenizer and image settings, and the means computed so far. */
export interface ClipBundle {
  dir: string;
  manifest: ClipManifest;
  textMean: Float32Array | null;
  /** null until ē_img is computed for the bundle (then it cannot bridge). */
  imageMean: Float32Array | null;
  /** What the bundle's images look like in CLIP space; null for bundles made before it was recorded (domain "unknown"). */
  domain: DomainModel | null;
  /** The same for their colour histograms; null for bundles made before it was recorded (no colour distance reported). */
  colourDomain: DomainModel | null;
  /** Absolute path of a file named in the manifest. */
  file(rel: string): string;
}

/** A bundle that captions: CLIP plus denoiser, decoder and ē_text. */
export interface Bundle extends ClipBundle {
  manifest: Manifest;
  textMean: Float32Array;
  denoiser: Map<string, Float32Array>;
  decoder: Map<string, Float32Array>;
  /** Decoder token id -> CLIP tokenizer id. */
  vocab: number[];
  /** The corpus's captions in diffusion space, L2-normalised rows [rows, embedDim]; null for bundles made before it was stored. */
  corpus: Float32Array | null;
}

/** The tensor of the corpus matrix file. */
export const CORPUS_TENSOR = 'captions';

/** The bundles the package ships (read only: an app's own models folder is seeded from it, seed.ts). */
export const SHIPPED_MODELS = path.join(PACKAGE_ROOT, 'models');

/** An app's folder for the plugin's files (uploaded corpora, fine-tuning runs, its models), relative to the app. */
export const DEFAULT_DATA_DIR = '.altbridge';

let configured: string | undefined;

/** Makes `dir` this process's models folder: the Strapi plugin calls it with its configured folder. */
export function useModelsDir(dir: string): void {
  configured = path.resolve(dir);
}

/**
 * Where bundles live: the folder the plugin configured in this process, else ALTBRIDGE_MODELS, else
 * the working folder's `.altbridge/models` (under ALTBRIDGE_DATA when set): an installed package's
 * CLI runs in the app, and never writes into node_modules. In a checkout without that folder, the
 * shipped bundles' own folder, where `shapes build` and the other training commands write.
 */
export function modelsDir(): string {
  if (configured) return configured;
  if (process.env.ALTBRIDGE_MODELS) return process.env.ALTBRIDGE_MODELS;
  const app = path.resolve(process.env.ALTBRIDGE_DATA ?? DEFAULT_DATA_DIR, 'models');
  return FROM_SOURCES && !fs.existsSync(app) ? SHIPPED_MODELS : app;
}

/** The bundle used when none is named: ALTBRIDGE_BUNDLE, else the default bundle shipped with the project. */
/** The shipped bundles: the default (emoji, icons, clip art) and the ShapesWorld lab bundle. */
export const DEFAULT_BUNDLE = 'art-mini';
export const LAB_BUNDLE = 'shapes-mini';

export const defaultBundleRef = (): string => process.env.ALTBRIDGE_BUNDLE ?? DEFAULT_BUNDLE;

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
  let parsed: { name: string; version: string | null };
  try {
    parsed = parseBundleRef(ref);
  } catch (err) {
    throw new Error(`bundle "${ref}" not found: no manifest.json there, and not a bundle name (${(err as Error).message})`);
  }
  const { name, version } = parsed;
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
  /** false for a CLIP-only bundle (no captioner yet). */
  captions: boolean;
  problem: string | null;
}

/** Bundles in `dir` (folders with a manifest.json), with what is wrong with each, cheaply (no hashing). */
export function listBundles(dir = modelsDir()): BundleInfo[] {
  if (!fs.existsSync(dir)) return [];
  return (
    fs
      .readdirSync(dir, { withFileTypes: true })
      // A dot folder is a copy still being seeded (seed.ts), or the version reservations.
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && fs.existsSync(path.join(dir, d.name, 'manifest.json')))
      .map((d) => {
        const where = path.join(dir, d.name);
        try {
          const m = checkClipManifest(JSON.parse(fs.readFileSync(path.join(where, 'manifest.json'), 'utf8')), where);
          const missing = Object.keys(m.files).filter((f) => !fs.existsSync(path.join(where, f)));
          const problem = missing.length ? `missing ${missing.join(', ')}` : null;
          return { dir: where, name: m.name, version: m.version, createdAt: m.createdAt, captions: 'decoder' in m, problem };
        } catch (err) {
          return { dir: where, name: d.name, version: '?', createdAt: '?', captions: false, problem: (err as Error).message };
        }
      })
  );
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

/** A bundle's folder with every file checked against its size and sha256, and its parsed manifest. */
function openVerified(ref: string): { dir: string; raw: unknown; file: (rel: string) => string } {
  const dir = resolveBundle(ref);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new Error(`bundle ${dir}: manifest.json is not valid JSON (${(err as Error).message})`);
  }
  const m = checkClipManifest(raw, dir);
  for (const [rel, info] of Object.entries(m.files)) {
    const p = path.join(dir, rel);
    if (!fs.existsSync(p)) throw new Error(`bundle file ${p} is missing`);
    const size = fs.statSync(p).size;
    if (size !== info.bytes) throw new Error(`bundle file ${p} has ${size} bytes, the manifest says ${info.bytes} (damaged or replaced)`);
    if (sha256File(p) !== info.sha256) throw new Error(`bundle file ${p} does not match its sha256 in the manifest (damaged or replaced)`);
  }
  const file = (rel: string) => {
    if (!m.files[rel]) throw new Error(`bundle ${dir}: manifest refers to ${rel}, which its file list does not name`);
    return path.join(dir, rel);
  };
  for (const rel of [m.clip.vision, m.clip.text, m.clip.tokenizer]) file(rel);
  return { dir, raw, file };
}

/** ē_text and ē_img from the means file, each null when not computed yet. */
function readMeans(m: ClipManifest, file: (rel: string) => string): { textMean: Float32Array | null; imageMean: Float32Array | null } {
  if (!m.means) return { textMean: null, imageMean: null };
  const meansFile = file(m.means);
  const means = readTensorFile(meansFile).tensors;
  const vector = (name: string): Float32Array | null => {
    const t = means[name];
    if (!t) return null;
    if (!(t.data instanceof Float32Array) || t.data.length !== m.clip.embedDim) throw new Error(`bundle file ${meansFile}: ${name} must be float32 [${m.clip.embedDim}]`);
    return t.data;
  };
  return { textMean: vector('text_mean'), imageMean: vector('image_mean') };
}

/** The domain statistics, null when the manifest has none, in CLIP space (checked against clip.embedDim) and of colour histograms. */
function readDomain(m: ClipManifest, file: (rel: string) => string): { domain: DomainModel | null; colourDomain: DomainModel | null } {
  if (!m.domain) return { domain: null, colourDomain: null };
  const where = file(m.domain.file);
  const t = readTensorFile(where).tensors;
  const model = (prefix: string, dim: number): DomainModel => {
    const f64 = (name: string, shape: number[]): Float64Array => {
      const x = t[prefix + name];
      if (!x || x.dtype !== 'float64' || x.shape.join() !== shape.join()) throw new Error(`bundle file ${where}: ${prefix + name} must be float64 [${shape}]`);
      return x.data;
    };
    return { dim, mean: f64('mean', [dim]), whiten: f64('whiten', [dim, dim]), quantiles: f64('quantiles', [DOMAIN_PERCENTILES]) };
  };
  return { domain: model('', m.clip.embedDim), colourDomain: m.domain.colour ? model(COLOUR_PREFIX, COLOUR_BINS) : null };
}

/** The corpus matrix, null when the manifest has none; its shape checked against the manifest. */
function readCorpusMatrix(m: ClipManifest, file: (rel: string) => string): Float32Array | null {
  if (!m.corpus) return null;
  const where = file(m.corpus.file);
  const t = readTensorFile(where).tensors[CORPUS_TENSOR];
  const shape = [m.corpus.rows, m.clip.embedDim];
  if (!t || t.dtype !== 'float32' || t.shape.join() !== shape.join()) throw new Error(`bundle file ${where}: ${CORPUS_TENSOR} must be float32 [${shape}]`);
  return t.data;
}

/** Any bundle's CLIP part (CLIP-only bundles included), files verified. */
export function loadClip(ref: string): ClipBundle {
  const { dir, raw, file } = openVerified(ref);
  const manifest = checkClipManifest(raw, dir);
  return { dir, manifest, file, ...readMeans(manifest, file), ...readDomain(manifest, file) };
}

export function loadBundle(ref: string): Bundle {
  const { dir, raw, file } = openVerified(ref);
  const m = checkManifest(raw, dir);
  const dim = m.clip.embedDim;
  const dn = m.diffusion.denoiser;
  if (dn.dim !== dim || m.decoder.config.condDim !== dim) throw new Error(`bundle ${dir}: denoiser dim ${dn.dim} and decoder condDim ${m.decoder.config.condDim} must equal clip.embedDim ${dim}`);
  const dnFile = file(m.diffusion.weights);
  const denoiserWeights = weights(
    dnFile,
    readTensorFile(dnFile).tensors,
    specsOf((g) => denoiser(g.input('x', 'float32', ['B', dim]), g.input('t', 'float32', ['B']), dn)),
  );
  const decFile = file(m.decoder.weights);
  const decoderWeights = weights(decFile, readTensorFile(decFile).tensors, specsOf(decoderTrain(m.decoder.config, { smoothing: 0, ignoreIndex: 0 })));
  const { textMean, imageMean } = readMeans(m, file);
  if (!textMean) throw new Error(`bundle file ${file(m.means)}: lacks text_mean (ē_text)`);
  const vocabFile = file(m.decoder.vocab);
  const vocab = JSON.parse(fs.readFileSync(vocabFile, 'utf8')) as unknown;
  if (!Array.isArray(vocab) || vocab.length !== m.decoder.config.vocab || !vocab.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`bundle file ${vocabFile}: must be an array of ${m.decoder.config.vocab} tokenizer ids`);
  }
  return { dir, manifest: m, denoiser: denoiserWeights, decoder: decoderWeights, textMean, imageMean, ...readDomain(m, file), vocab, file, corpus: readCorpusMatrix(m, file) };
}
