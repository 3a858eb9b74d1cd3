/**
 * The nearest corpus caption: a bundle may store a small matrix of its corpus's caption text
 * embeddings in diffusion space (eq. 6, where the bridged embedding lives), rows L2-normalised,
 * one per distinct line, at most CORPUS_ROWS of them (a seeded subsample when there are more).
 * Each caption then gets the cosine of its bridged embedding to the nearest stored row: how close
 * bridging landed to some caption the decoder was trained on. Training writes the matrix
 * (worker/train/stages/write.ts); `altbridge models add-corpus` adds it to an older bundle.
 */
import { ClipBundle, CORPUS_TENSOR, loadBundle } from './bundle/load';
import { ClipManifest } from './bundle/manifest';
import { updateBundle } from './bundle/write';
import { ClipEncoders } from './clip/encoders';
import { ClipTokenizer } from './clip/tokenizer';
import { readCorpus } from './corpus/read';
import { runtimeConfig, RuntimeConfig } from './runtime';
import { textZ } from './train/eval-text';
import { Rng } from './train/rng';
import { embedTexts } from './train/text-embeddings';

/** Most rows stored (64-d: 1 MB; 512-d: 8 MB). */
export const CORPUS_ROWS = 4096;
/** The file's name in a bundle (its tensor: CORPUS_TENSOR). */
export const CORPUS_FILE = 'corpus.safetensors';
/** Rng stream of the subsample (beside the seed), apart from the training's own streams. */
const SUBSAMPLE_STREAM = 0x636f7270;

/**
 * The stored matrix [rows, dim] from the corpus lines and their diffusion-space rows `z` [n, dim]
 * (same order): one row per distinct line, L2-normalised; when more than `cap`, a seeded
 * subsample kept in corpus order.
 */
export function corpusMatrix(lines: string[], z: Float32Array, dim: number, seed: number, cap = CORPUS_ROWS): { rows: number; data: Float32Array } {
  if (z.length !== lines.length * dim) throw new Error(`corpus matrix: ${lines.length} lines but ${z.length / dim} embeddings`);
  const seen = new Set<string>();
  let keep: number[] = [];
  lines.forEach((l, i) => {
    if (seen.has(l)) return;
    seen.add(l);
    keep.push(i);
  });
  if (keep.length > cap) {
    const pick = Array.from(new Rng(seed, SUBSAMPLE_STREAM).permutation(keep.length).subarray(0, cap)).sort((a, b) => a - b);
    keep = pick.map((k) => keep[k]);
  }
  const data = new Float32Array(keep.length * dim);
  keep.forEach((i, r) => {
    const row = z.subarray(i * dim, (i + 1) * dim);
    let s = 0;
    for (let k = 0; k < dim; k++) s += row[k] * row[k];
    const n = Math.sqrt(s) || 1;
    for (let k = 0; k < dim; k++) data[r * dim + k] = row[k] / n;
  });
  return { rows: keep.length, data };
}

/** Largest cosine of `x` [dim] with any row of the L2-normalised `memory` [rows, dim]: one matrix-vector product. */
export function nearestCosine(memory: Float32Array, dim: number, x: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += x[k] * x[k];
  const nx = Math.sqrt(s);
  if (!(nx > 0)) return 0;
  let best = -Infinity;
  for (let at = 0; at < memory.length; at += dim) {
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += memory[at + k] * x[k];
    if (dot > best) best = dot;
  }
  return best / nx;
}

/** The manifest field and tensor file content of a corpus matrix. */
export function corpusContent(m: { rows: number; data: Float32Array }, dim: number) {
  return {
    field: { file: CORPUS_FILE, rows: m.rows },
    content: { [CORPUS_FILE]: { tensors: { [CORPUS_TENSOR]: { dtype: 'float32' as const, shape: [m.rows, dim], data: m.data } } } },
  };
}

/**
 * Adds (or replaces) the corpus matrix of a trained bundle from its corpus file, embedded with the
 * bundle's own CLIP text tower and ē_text, as training did; seeded by the bundle's training seed.
 * Refuses a corpus whose sha256 differs from the one the provenance records. Nothing else changes.
 */
export async function addCorpus(ref: string, corpusFile: string, o: { command?: string; runtime?: RuntimeConfig; cacheDir?: string; sha256?: string } = {}): Promise<ClipManifest> {
  const bundle = loadBundle(ref);
  const m = bundle.manifest;
  const recorded = /sha256 ([0-9a-f]{64})/.exec(m.provenance.corpus)?.[1];
  if (recorded && o.sha256 && recorded !== o.sha256) {
    throw new Error(`models add-corpus: ${corpusFile} has sha256 ${o.sha256}, but ${m.name} was trained on a corpus with sha256 ${recorded}`);
  }
  const lines = (await readCorpus(corpusFile)).train;
  const dim = m.clip.embedDim;
  const z = await embedLines(bundle, lines, o);
  const seed = m.provenance.seeds.train ?? 0;
  const { field, content } = corpusContent(corpusMatrix(lines, textZ(z, bundle.textMean, m.diffusion.scale), dim, seed), dim);
  const note = `corpus matrix (${field.rows} of ${lines.length} lines)${o.command ? `: ${o.command}` : ''}`;
  const commands = m.provenance.commands.filter((c) => !c.startsWith('corpus matrix ('));
  return updateBundle(bundle.dir, content, { corpus: field, provenance: { ...m.provenance, commands: [...commands, note] } });
}

/** Raw CLIP text embeddings of `lines` with the bundle's text tower. */
async function embedLines(bundle: ClipBundle, lines: string[], o: { runtime?: RuntimeConfig; cacheDir?: string }): Promise<Float32Array> {
  const m = bundle.manifest;
  const tok = ClipTokenizer.load(bundle.file(m.clip.tokenizer));
  const enc = await ClipEncoders.open(bundle.file(m.clip.vision), bundle.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: m.clip.embedDim }, o.runtime ?? runtimeConfig());
  try {
    return await embedTexts(enc, tok, m.files[m.clip.text].sha256, m.clip.contextLength, lines, { cacheDir: o.cacheDir });
  } finally {
    await enc.close();
  }
}
