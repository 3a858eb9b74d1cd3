/** The minimal ZIP reader against archives written by the test helper (CRCs by zlib). */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { crc32, readZipEntry } from '../../../worker/fetch/zip';
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
