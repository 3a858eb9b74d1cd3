/**
 * A model bundle's manifest.json: what made it, every file with its sha256, and all the pipeline
 * needs to run it (CLIP files and image settings, diffusion settings, denoiser and decoder).
 */
import { DecoderConfig } from '../graph/decoder';
import { DenoiserConfig } from '../graph/denoiser';

export const BUNDLE_FORMAT = 1;

export interface Manifest {
  format: number;
  name: string;
  version: string;
  createdAt: string;
  provenance: { corpus: string; seeds: Record<string, number>; commands: string[]; notes?: string };
  /** Every file of the bundle, relative path -> sha256 (hex) and size. */
  files: Record<string, { sha256: string; bytes: number }>;
  clip: {
    vision: string;
    text: string;
    tokenizer: string;
    imageSize: number;
    mean: [number, number, number];
    std: [number, number, number];
    embedDim: number;
    contextLength: number;
  };
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
  /** ē_text and ē_img as tensors `text_mean` / `image_mean` [embedDim]; ē_img may be missing (bundle incomplete). */
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

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Checks the structure a loader relies on; the message names the first missing or wrong field. */
export function checkManifest(m: unknown, where: string): Manifest {
  const fail = (field: string, want: string) => {
    throw new Error(`bundle ${where}: manifest.json field "${field}" must be ${want}`);
  };
  if (!isObj(m)) return fail('(root)', 'an object') as never;
  if (m.format !== BUNDLE_FORMAT) fail('format', `${BUNDLE_FORMAT} (this version of altbridge reads format ${BUNDLE_FORMAT})`);
  for (const f of ['name', 'version', 'createdAt', 'means']) if (typeof m[f] !== 'string' || !m[f]) fail(f, 'a non-empty string');
  if (!isObj(m.files)) fail('files', 'an object of path -> {sha256, bytes}');
  for (const [path, f] of Object.entries(m.files as object)) {
    if (!isObj(f) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256) || typeof f.bytes !== 'number') fail(`files.${path}`, '{sha256: 64 hex digits, bytes: number}');
  }
  const need = (obj: unknown, name: string, fields: Record<string, string>) => {
    if (!isObj(obj)) return fail(name, 'an object');
    for (const [f, type] of Object.entries(fields)) {
      const v = obj[f];
      const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObj(v) : typeof v === type;
      if (!ok) fail(`${name}.${f}`, `a ${type}`);
    }
  };
  need(m.provenance, 'provenance', { corpus: 'string', seeds: 'object', commands: 'array' });
  need(m.clip, 'clip', { vision: 'string', text: 'string', tokenizer: 'string', imageSize: 'number', mean: 'array', std: 'array', embedDim: 'number', contextLength: 'number' });
  need(m.diffusion, 'diffusion', { steps: 'number', cosineS: 'number', scale: 'number', defaultM: 'number', ddimSteps: 'number', augmentStep: 'number', denoiser: 'object', weights: 'string' });
  need(m.decoder, 'decoder', { config: 'object', weights: 'string', vocab: 'string', bos: 'number', eos: 'number', stop: 'array' });
  const d = m.diffusion as Record<string, unknown>;
  if (d.schedule !== 'cosine') fail('diffusion.schedule', '"cosine"');
  if (d.objective !== 'pred-x0') fail('diffusion.objective', '"pred-x0"');
  return m as unknown as Manifest;
}
