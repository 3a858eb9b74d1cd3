/** Writes a bundle folder: its files, then manifest.json with each file's sha256 and size. */
import * as fs from 'fs';
import * as path from 'path';
import { StoredTensor, writeTensorFile } from '../train/tensor-file';
import { BUNDLE_FORMAT, Manifest, checkManifest } from './manifest';
import { sha256File } from './load';

export type BundleContent = Uint8Array | string | { tensors: Record<string, StoredTensor>; meta?: unknown };

/** `content` maps each relative path to bytes, text, or tensors (written as a tensor file). */
export function writeBundle(dir: string, manifest: Omit<Manifest, 'files' | 'format'>, content: Record<string, BundleContent>): Manifest {
  fs.mkdirSync(dir, { recursive: true });
  const files: Manifest['files'] = {};
  for (const [rel, c] of Object.entries(content)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof c === 'string' || c instanceof Uint8Array) fs.writeFileSync(p, c);
    else writeTensorFile(p, c.tensors, c.meta ?? null);
    files[rel] = { sha256: sha256File(p), bytes: fs.statSync(p).size };
  }
  const full = checkManifest({ format: BUNDLE_FORMAT, ...manifest, files }, dir);
  const tmp = path.join(dir, `manifest.json.tmp-${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(full, null, 2) + '\n');
  fs.renameSync(tmp, path.join(dir, 'manifest.json'));
  return full;
}

/** Float32 parameters as tensor-file entries. */
export function paramTensors(values: Map<string, Float32Array>, shapes: Map<string, number[]>): Record<string, StoredTensor> {
  const out: Record<string, StoredTensor> = {};
  for (const [name, data] of values) out[name] = { dtype: 'float32', shape: shapes.get(name) ?? [data.length], data };
  return out;
}

/** Replaces or adds files of an existing bundle and refreshes their hashes in its manifest. */
export function updateBundle(dir: string, content: Record<string, BundleContent>, changes: Partial<Omit<Manifest, 'files' | 'format'>> = {}): Manifest {
  const current = checkManifest(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), dir);
  const { files, format, ...rest } = current;
  void format;
  const kept: Record<string, BundleContent> = {};
  for (const rel of Object.keys(files)) if (!(rel in content)) kept[rel] = fs.readFileSync(path.join(dir, rel));
  return writeBundle(dir, { ...rest, ...changes }, { ...kept, ...content });
}
