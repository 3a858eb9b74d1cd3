/** The minimal ZIP reader against archives written by the test helper (CRCs by zlib). */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { crc32, MAX_MEMBER_BYTES, readZipEntry } from '../../../worker/fetch/zip';
import { makeZip } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-zip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, data: Buffer) => {
  fs.writeFileSync(path.join(dir, name), data);
  return path.join(dir, name);
};

test('crc32 matches zlib', () => {
  const data = crypto.randomBytes(1000);
  expect(crc32(data)).toBe(zlib.crc32(data));
  expect(crc32(Buffer.alloc(0))).toBe(0);
});

test('deflated and stored members read back exactly', () => {
  const big = crypto.randomBytes(50_000);
  const members = { 'a/text.json': '{"x": 1}'.repeat(1000), 'b.bin': big };
  for (const stored of [false, true]) {
    const zip = write(`m${stored}.zip`, makeZip(members, stored));
    expect(readZipEntry(zip, 'a/text.json').toString()).toBe(members['a/text.json']);
    expect(readZipEntry(zip, 'b.bin').equals(big)).toBe(true);
    expect(() => readZipEntry(zip, 'c')).toThrow(/has no member c \(it has: a\/text\.json, b\.bin\)/);
  }
});

test('corruption, non-zips and ZIP64 give clear errors', () => {
  const good = makeZip({ 'f.txt': 'hello hello hello hello' }, true);
  const flipped = Buffer.from(good);
  flipped[30 + 'f.txt'.length] ^= 0xff; // first data byte
  expect(() => readZipEntry(write('bad.zip', flipped), 'f.txt')).toThrow(/member f\.txt is corrupt/);
  expect(() => readZipEntry(write('not.zip', Buffer.from('just text')), 'f.txt')).toThrow(/is not a ZIP archive/);
  const zip64 = Buffer.from(good);
  zip64.writeUInt32LE(0xffffffff, zip64.length - 22 + 16); // central directory offset in the end record
  expect(() => readZipEntry(write('z64.zip', zip64), 'f.txt')).toThrow(/ZIP64 archive, which is not supported/);
});

/** A one-member zip whose member declares `size` bytes uncompressed (local and central header). */
function declaring(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  out.writeUInt32LE(size, 22);
  out.writeUInt32LE(size, out.readUInt32LE(out.length - 22 + 16) + 24);
  return out;
}

test('a member is never inflated past the size it declares, nor past the limit', () => {
  // 64 MiB of zeros deflate to 64 KB; the member says 1000 bytes.
  const zeros = makeZip({ 'z.bin': Buffer.alloc(64 * 1024 * 1024) });
  expect(zeros.length).toBeLessThan(100_000);
  const bomb = write('bomb.zip', declaring(zeros, 1000));
  expect(() => readZipEntry(bomb, 'z.bin')).toThrow(`${bomb}: member z.bin inflates to more than the 1000 bytes it declares (corrupt, or a zip bomb)`);
  // Declaring 3 GB, or more than a caller's limit, is refused before anything is read.
  const huge = write('huge.zip', declaring(makeZip({ 'h.txt': 'hello' }), 3e9));
  expect(() => readZipEntry(huge, 'h.txt')).toThrow(new RegExp(`member h\\.txt is 3000000000 bytes \\(\\d+ compressed\\), over the ${MAX_MEMBER_BYTES}-byte limit$`));
  const big = write('big.zip', makeZip({ 'b.bin': crypto.randomBytes(50_000) }));
  expect(() => readZipEntry(big, 'b.bin', 40_000)).toThrow(/member b\.bin is 50000 bytes \(\d+ compressed\), over the 40000-byte limit$/);
  expect(readZipEntry(big, 'b.bin', 60_000)).toHaveLength(50_000);
});
