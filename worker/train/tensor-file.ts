/**
 * Tensor files (checkpoints, bundle weights) in the safetensors layout, so any safetensors reader
 * opens them too: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range (plus `__metadata__`, whose "altbridge" entry holds our JSON), then the raw
 * little-endian data. Writes go to a temporary file renamed into place, so a kill never leaves a
 * half-written file under the real name.
 */
import * as fs from 'fs';

export type StoredTensor =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'float64'; shape: number[]; data: Float64Array }
  | { dtype: 'int64'; shape: number[]; data: BigInt64Array };

const CODES = { float32: 'F32', float64: 'F64', int64: 'I64' } as const;
const ARRAYS = { F32: Float32Array, F64: Float64Array, I64: BigInt64Array } as const;
const DTYPES = { F32: 'float32', F64: 'float64', I64: 'int64' } as const;

export function writeTensorFile(path: string, tensors: Record<string, StoredTensor>, meta: unknown): void {
  const header: Record<string, unknown> = { __metadata__: { altbridge: JSON.stringify(meta) } };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new Error(`tensor file: ${name} has ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: CODES[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // keeps the data 8-byte aligned
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, head);
    fs.writeSync(fd, json);
    for (const t of Object.values(tensors)) fs.writeSync(fd, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}

export function readTensorFile(path: string): { tensors: Record<string, StoredTensor>; meta: unknown } {
  const buf = fs.readFileSync(path);
  const bad = (why: string) => new Error(`tensor file ${path}: ${why}`);
  if (buf.length < 8) throw bad('too short to be a tensor file');
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) throw bad(`header length ${n} runs past the end of the file (truncated?)`);
  let header: Record<string, { dtype: keyof typeof ARRAYS; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch {
    throw bad('the header is not valid JSON');
  }
  const base = 8 + n;
  const tensors: Record<string, StoredTensor> = {};
  let meta: unknown = null;
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') {
      const m = (h as unknown as Record<string, string>).altbridge;
      meta = m === undefined ? null : JSON.parse(m);
      continue;
    }
    const Arr = ARRAYS[h.dtype];
    if (!Arr) throw bad(`${name} has unsupported dtype ${h.dtype}`);
    const [s, e] = h.data_offsets;
    if (base + e > buf.length) throw bad(`${name} runs past the end of the file (truncated?)`);
    const count = h.shape.reduce((a, b) => a * b, 1);
    if (e - s !== count * Arr.BYTES_PER_ELEMENT) throw bad(`${name}: byte range does not match shape [${h.shape}]`);
    const bytes = new Uint8Array(count * Arr.BYTES_PER_ELEMENT);
    bytes.set(buf.subarray(base + s, base + e));
    tensors[name] = { dtype: DTYPES[h.dtype], shape: h.shape, data: new Arr(bytes.buffer) } as StoredTensor;
  }
  return { tensors, meta };
}
