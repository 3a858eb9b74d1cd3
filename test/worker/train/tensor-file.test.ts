/** Tensor files: round trip, safetensors layout, atomic writes and clear errors on damage. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTensorFile, writeTensorFile } from '../../../worker/train/tensor-file';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-tf-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const tensors = () => ({
  a: { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 4, 5, 6) },
  b: { dtype: 'float64' as const, shape: [1], data: Float64Array.of(Math.PI) },
  c: { dtype: 'int64' as const, shape: [2], data: BigInt64Array.of(-1n, 2n ** 40n) },
});

test('round trip keeps every value, dtype, shape and the metadata', () => {
  const file = path.join(dir, 'rt.safetensors');
  writeTensorFile(file, tensors(), { step: 7, note: 'x' });
  const back = readTensorFile(file);
  expect(back.meta).toEqual({ step: 7, note: 'x' });
  expect(back.tensors).toEqual(tensors());
  expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

test('the layout is safetensors: u64 header length, JSON header with offsets, 8-byte aligned data', () => {
  const file = path.join(dir, 'layout.safetensors');
  writeTensorFile(file, tensors(), {});
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  expect(n % 8).toBe(0);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  expect(header.c).toEqual({ dtype: 'I64', shape: [2], data_offsets: [32, 48] });
  expect(buf.length).toBe(8 + n + 48);
  expect(buf.readFloatLE(8 + n + 8)).toBe(3.5);
});

test('a truncated or garbled file is refused with a message naming the problem', () => {
  const file = path.join(dir, 'bad.safetensors');
  writeTensorFile(file, tensors(), {});
  const whole = fs.readFileSync(file);
  fs.writeFileSync(file, whole.subarray(0, whole.length - 5));
  expect(() => readTensorFile(file)).toThrow(/c runs past the end of the file \(truncated\?\)/);
  fs.writeFileSync(file, whole.subarray(0, 4));
  expect(() => readTensorFile(file)).toThrow(/too short/);
  const garbled = Buffer.from(whole);
  garbled[9] = 0x7b; // '{' inside the header
  fs.writeFileSync(file, garbled);
  expect(() => readTensorFile(file)).toThrow(/header is not valid JSON/);
});

test('a shape that does not match the data is refused on write', () => {
  expect(() => writeTensorFile(path.join(dir, 'x'), { a: { dtype: 'float32', shape: [4], data: new Float32Array(3) } }, {})).toThrow(/a has 3 values for shape \[4\]/);
});
