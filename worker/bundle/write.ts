/** Writes a bundle folder: its files, then manifest.json with each file's sha256 and size. */
import * as fs from 'fs';
import * as path from 'path';
import { StoredTensor, writeTensorFile } from '../train/tensor-file';
import { BUNDLE_FORMAT, ClipManifest, checkClipManifest, checkManifest } from './manifest';
import { sha256File } from './load';

export type BundleContent = Uint8Array | string | { tensors: Record<string, StoredTensor>; meta?: unknown };

type ManifestBody<M extends ClipManifest> = Omit<M, 'files' | 'format'>;

/**
 * `content` maps each relative path to bytes, text, or tensors (written as a tensor file). A
 * manifest with a decoder is checked as a full bundle, one without as a CLIP-only one.
 */
export function writeBundle<M extends ClipManifest>(dir: string, manifest: ManifestBody<M>, content: Record<string, BundleContent>): M {
  fs.mkdirSync(dir, { recursive: true });
  const files: ClipManifest['files'] = {};
  for (const [rel, c] of Object.entries(content)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof c === 'string' || c instanceof Uint8Array) fs.writeFileSync(p, c);
    else writeTensorFile(p, c.tensors, c.meta ?? null);
    files[rel] = { sha256: sha256File(p), bytes: fs.statSync(p).size };
  }
  const raw = { format: BUNDLE_FORMAT, ...manifest, files };
  const full = ('decoder' in raw ? checkManifest(raw, dir) : checkClipManifest(raw, dir)) as M;
  replaceManifest(dir, full);
  return full;
}

/** manifest.json written beside and renamed over, so a reader never sees half of it. */
function replaceManifest(dir: string, manifest: object): void {
  const tmp = path.join(dir, `manifest.json.tmp-${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  fs.renameSync(tmp, path.join(dir, 'manifest.json'));
}

/** A captioning bundle's manifest fields changed by `edit` (no file changes), checked, then replaced; unknown fields pass through. */
export function editManifest(dir: string, edit: (raw: Record<string, unknown> & { provenance: { commands: string[] } }) => void): void {
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown> & { provenance: { commands: string[] } };
  edit(raw);
  checkManifest(raw, dir);
  replaceManifest(dir, raw);
}

/** Float32 parameters as tensor-file entries. */
export function paramTensors(values: Map<string, Float32Array>, shapes: Map<string, number[]>): Record<string, StoredTensor> {
  const out: Record<string, StoredTensor> = {};
  for (const [name, data] of values) out[name] = { dtype: 'float32', shape: shapes.get(name) ?? [data.length], data };
  return out;
}

/** Replaces or adds files of an existing bundle and refreshes their hashes in its manifest. */
export function updateBundle(dir: string, content: Record<string, BundleContent>, changes: Partial<ManifestBody<ClipManifest>> = {}): ClipManifest {
  const current = checkClipManifest(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), dir);
  const { files, format, ...rest } = current;
  void format;
  const kept: Record<string, BundleContent> = {};
  for (const rel of Object.keys(files)) if (!(rel in content)) kept[rel] = fs.readFileSync(path.join(dir, rel));
  return writeBundle(dir, { ...rest, ...changes }, { ...kept, ...content });
}
