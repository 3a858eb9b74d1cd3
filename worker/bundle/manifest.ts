/**
 * A model bundle's manifest.json: what made it, every file with its sha256, and all the pipeline
 * needs to run it (CLIP files and image settings, diffusion settings, denoiser and decoder). A
 * CLIP-only bundle (imported or self-trained CLIP, no captioner yet) has just the CLIP part and,
 * once computed, its means; `altbridge train --clip` turns it into a full one.
 */
import { BRIDGE_DEFAULTS, DIFFUSION_DEFAULTS } from '../diffusion';
import { DecoderConfig } from '../graph/decoder';
import { DenoiserConfig } from '../graph/denoiser';
import { checkQualityCalibration, QualityCalibration } from '../quality';
import { checkBundleName, checkBundleVersion } from './names';
import { COLOUR_LEVELS } from '../colour-histogram';

export const BUNDLE_FORMAT = 1;

/** One space's domain statistics (worker/domain.ts), as the manifest summarises them. */
interface DomainStatistics {
  shrinkage: { method: 'ledoit-wolf'; intensity: number };
  /** Mahalanobis distance of the bundle's own images at these percentiles. */
  quantiles: { p50: number; p95: number; p99: number; max: number };
}

/** What the bundle's images look like in CLIP space (worker/domain.ts); bundles made before it lack it. */
export interface DomainManifest extends DomainStatistics {
  /** Tensor file: `mean` [d], `whiten` [d, d] (inverse Cholesky factor of the shrunk covariance), `quantiles` [101]. */
  file: string;
  /** Images the statistics come from. */
  count: number;
  /** The domain in words, for people ("synthetic ShapesWorld scenes — demonstration only"). */
  description: string;
  /** A demonstration bundle: never meant for real images. */
  demonstration?: boolean;
  /**
   * The same statistics over the images' colour histograms (worker/colour-histogram.ts), tensors `colour_mean`,
   * `colour_whiten`, `colour_quantiles` in the same file; reported beside the CLIP verdict, not deciding it. Bundles made before it report none.
   */
  colour?: DomainStatistics & { levels: number };
}

/** The corpus's captions in diffusion space (worker/nearest-caption.ts); bundles made before it lack it. */
export interface CorpusManifest {
  /** Tensor file: `captions` float32 [rows, embedDim], L2-normalised rows. */
  file: string;
  rows: number;
}

export interface ClipManifest {
  format: number;
  name: string;
  version: string;
  createdAt: string;
  provenance: { corpus: string; seeds: Record<string, number>; commands: string[]; notes?: string; recipe?: Record<string, unknown> };
  /** Every file of the bundle, relative path -> sha256 (hex) and size. */
  files: Record<string, { sha256: string; bytes: number }>;
  clip: {
    vision: string;
    text: string;
    tokenizer: string;
    imageSize: number;
    mean: [number, number, number];
    std: [number, number, number];
    /** How images are fitted to the square: absent, CLIP's crop; 'trim', art cut from its background (preprocess.ts). */
    fit?: 'trim';
    embedDim: number;
    contextLength: number;
  };
  /** Tensor file of ē_text `text_mean` and ē_img `image_mean` [embedDim]; either may be missing while incomplete. */
  means?: string;
  domain?: DomainManifest;
  /** The corpus matrix behind each caption's nearestCaption; bundles without it give null. */
  corpus?: CorpusManifest;
  /** Calibration of the quality estimate (worker/quality.ts); bundles without it give quality null. */
  quality?: QualityCalibration;
}

export interface Manifest extends ClipManifest {
  diffusion: {
    steps: number;
    schedule: 'cosine';
    cosineS: number;
    scale: number;
    objective: 'pred-x0';
    defaultM: number;
    ddimSteps: number;
    augmentStep: number;
    denoiser: DenoiserConfig;
    weights: string;
  };
  means: string;
  decoder: {
    config: DecoderConfig;
    weights: string;
    /** JSON array: decoder token id -> CLIP tokenizer id. */
    vocab: string;
    bos: number;
    eos: number;
    /** Decoder ids that end a caption and stay in it ("."). */
    stop: number[];
  };
}

/** Diffusion settings of a new captioner: the bundle's own where it has them, else the paper's. */
export function diffusionSettings(m: ClipManifest): Omit<Manifest['diffusion'], 'denoiser' | 'weights'> {
  const d = (m as Partial<Manifest>).diffusion;
  const p = { ...DIFFUSION_DEFAULTS, ...BRIDGE_DEFAULTS };
  return {
    steps: d?.steps ?? p.steps,
    schedule: 'cosine',
    cosineS: d?.cosineS ?? p.cosineS,
    scale: d?.scale ?? p.scale,
    objective: 'pred-x0',
    defaultM: d?.defaultM ?? p.defaultM,
    ddimSteps: d?.ddimSteps ?? p.ddimSteps,
    augmentStep: d?.augmentStep ?? p.augmentStep,
  };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const failer =
  (where: string) =>
  (field: string, want: string): never => {
    throw new Error(`bundle ${where}: manifest.json field "${field}" must be ${want}`);
  };

function need(fail: (f: string, w: string) => never, obj: unknown, name: string, fields: Record<string, string>): void {
  if (!isObj(obj)) return fail(name, 'an object');
  for (const [f, type] of Object.entries(fields)) {
    const v = obj[f];
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObj(v) : typeof v === type;
    if (!ok) fail(`${name}.${f}`, `a ${type}`);
  }
}

/** A DomainStatistics block (its parent already checked to be an object). */
function needStatistics(fail: (f: string, w: string) => never, d: Record<string, unknown>, name: string): void {
  need(fail, d.shrinkage, `${name}.shrinkage`, { method: 'string', intensity: 'number' });
  need(fail, d.quantiles, `${name}.quantiles`, { p50: 'number', p95: 'number', p99: 'number', max: 'number' });
}

/** Checks what every bundle has (CLIP-only ones included); the message names the first missing or wrong field. */
export function checkClipManifest(m: unknown, where: string): ClipManifest {
  const fail = failer(where);
  if (!isObj(m)) return fail('(root)', 'an object');
  if (m.format !== BUNDLE_FORMAT) fail('format', `${BUNDLE_FORMAT} (this version of altbridge reads format ${BUNDLE_FORMAT})`);
  for (const f of ['name', 'version', 'createdAt']) if (typeof m[f] !== 'string' || !m[f]) fail(f, 'a non-empty string');
  // The name and version become folder names (a fine-tune writes NAME-VERSION beside it).
  try {
    checkBundleName(m.name);
    checkBundleVersion(m.version);
  } catch (err) {
    throw new Error(`bundle ${where}: manifest.json: ${(err as Error).message}`);
  }
  if (m.means !== undefined && (typeof m.means !== 'string' || !m.means)) fail('means', 'a non-empty string');
  if (!isObj(m.files)) fail('files', 'an object of path -> {sha256, bytes}');
  for (const [path, f] of Object.entries(m.files as object)) {
    if (path.startsWith('/') || path.split(/[\\/]/).includes('..')) fail(`files.${path}`, 'a path inside the bundle folder');
    if (!isObj(f) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256) || typeof f.bytes !== 'number') fail(`files.${path}`, '{sha256: 64 hex digits, bytes: number}');
  }
  if (m.domain !== undefined) {
    need(fail, m.domain, 'domain', { file: 'string', count: 'number', shrinkage: 'object', quantiles: 'object', description: 'string' });
    const d = m.domain as Record<string, unknown>;
    needStatistics(fail, d, 'domain');
    if (d.demonstration !== undefined && typeof d.demonstration !== 'boolean') fail('domain.demonstration', 'a boolean');
    if (d.colour !== undefined) {
      need(fail, d.colour, 'domain.colour', { levels: 'number', shrinkage: 'object', quantiles: 'object' });
      const c = d.colour as Record<string, unknown>;
      if (c.levels !== COLOUR_LEVELS) fail('domain.colour.levels', `${COLOUR_LEVELS} (the histogram this version computes)`);
      needStatistics(fail, c, 'domain.colour');
    }
  }
  if (m.corpus !== undefined) {
    need(fail, m.corpus, 'corpus', { file: 'string', rows: 'number' });
    const rows = (m.corpus as Record<string, unknown>).rows as number;
    if (!Number.isInteger(rows) || rows < 1) fail('corpus.rows', 'a whole number of at least 1');
  }
  if (m.quality !== undefined) checkQualityCalibration(m.quality, m.domain !== undefined, where, m.corpus !== undefined);
  need(fail, m.provenance, 'provenance', { corpus: 'string', seeds: 'object', commands: 'array' });
  need(fail, m.clip, 'clip', { vision: 'string', text: 'string', tokenizer: 'string', imageSize: 'number', mean: 'array', std: 'array', embedDim: 'number', contextLength: 'number' });
  const fit = (m.clip as Record<string, unknown>).fit;
  if (fit !== undefined && fit !== 'trim') fail('clip.fit', "absent or 'trim'");
  return m as unknown as ClipManifest;
}

/** A bundle that can caption: a CLIP-only manifest is refused with what to do about it. */
export function checkManifest(raw: unknown, where: string): Manifest {
  const m = checkClipManifest(raw, where) as ClipManifest & Record<string, unknown>;
  if (m.decoder === undefined && m.diffusion === undefined) {
    throw new Error(`bundle ${where} is CLIP only (no captioner yet): train one with \`altbridge train --clip ${m.name} --corpus FILE\``);
  }
  const fail = failer(where);
  if (typeof m.means !== 'string') fail('means', 'a non-empty string');
  need(fail, m.diffusion, 'diffusion', { steps: 'number', cosineS: 'number', scale: 'number', defaultM: 'number', ddimSteps: 'number', augmentStep: 'number', denoiser: 'object', weights: 'string' });
  need(fail, m.decoder, 'decoder', { config: 'object', weights: 'string', vocab: 'string', bos: 'number', eos: 'number', stop: 'array' });
  const d = m.diffusion as Record<string, unknown>;
  if (d.schedule !== 'cosine') fail('diffusion.schedule', '"cosine"');
  if (d.objective !== 'pred-x0') fail('diffusion.objective', '"pred-x0"');
  return m as unknown as Manifest;
}
