/**
 * Just enough ZIP reading for downloaded archives: the central directory, then one member read by
 * offset (stored or deflate) and checked against its CRC-32. The archive is never read whole,
 * since COCO's annotations zip is 250 MB, and a member is never inflated past its declared size
 * or MAX_MEMBER_BYTES (a 1 MB zip can inflate to 1 GiB). ZIP64 and encryption are refused with a
 * clear error.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the member's local header. */
  offset: number;
  flags: number;
}

/** The default limit on a member's size: a few times COCO's largest caption file (~590k captions). */
export const MAX_MEMBER_BYTES = 256 * 1024 * 1024;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as ZIP stores it (zlib.crc32 needs Node 20.15; engines allows any Node 20). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = fs.readSync(fd, buf, 0, length, position);
  if (n !== length) throw new Error(`unexpected end of file at byte ${position + n}`);
  return buf;
}

function entries(fd: number, size: number, file: string): ZipEntry[] {
  // The end record sits in the last 22 bytes plus up to 65535 of comment.
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = readAt(fd, size - tailLen, tailLen);
  let at = -1;
  for (let i = tailLen - 22; i >= 0 && at < 0; i--) if (tail.readUInt32LE(i) === EOCD) at = i;
  if (at < 0) throw new Error(`${file} is not a ZIP archive (no end-of-central-directory record)`);
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  const zip64 = (at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR) || count === 0xffff || cdOffset === 0xffffffff;
  if (zip64) throw new Error(`${file} is a ZIP64 archive, which is not supported; unpack it with another tool`);
  const cd = readAt(fd, cdOffset, cdSize);
  const out: ZipEntry[] = [];
  for (let p = 0, i = 0; i < count; i++) {
    if (cd.readUInt32LE(p) !== CENTRAL) throw new Error(`${file}: corrupt central directory at entry ${i}`);
    const nameLen = cd.readUInt16LE(p + 28);
    const e: ZipEntry = {
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      offset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
    };
    if (e.size === 0xffffffff || e.compressedSize === 0xffffffff || e.offset === 0xffffffff) {
      throw new Error(`${file}: member ${e.name} uses ZIP64 sizes, which are not supported; unpack it with another tool`);
    }
    out.push(e);
    p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
  }
  return out;
}

/** Raw deflate data inflated to at most `size` bytes, the size its member declares. */
function inflate(raw: Buffer, size: number, what: string): Buffer {
  try {
    // maxOutputLength has to be at least 1; an empty member that inflates to 1 byte fails the size check.
    return zlib.inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`${what} inflates to more than the ${size} bytes it declares (corrupt, or a zip bomb)`);
    throw err;
  }
}

/** One member's contents, inflated and CRC-checked; a member declaring more than `maxBytes` is refused unread. */
export function readZipEntry(file: string, name: string, maxBytes = MAX_MEMBER_BYTES): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const all = entries(fd, fs.fstatSync(fd).size, file);
    const e = all.find((x) => x.name === name);
    if (!e) throw new Error(`${file} has no member ${name} (it has: ${all.map((x) => x.name).join(', ') || 'nothing'})`);
    if (e.flags & 1) throw new Error(`${file}: member ${name} is encrypted`);
    if (Math.max(e.size, e.compressedSize) > maxBytes) {
      throw new Error(`${file}: member ${name} is ${e.size} bytes (${e.compressedSize} compressed), over the ${maxBytes}-byte limit`);
    }
    const local = readAt(fd, e.offset, 30);
    if (local.readUInt32LE(0) !== LOCAL) throw new Error(`${file}: corrupt local header for ${name}`);
    // The local header's own name and extra lengths may differ from the central directory's.
    const dataAt = e.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = readAt(fd, dataAt, e.compressedSize);
    let data: Buffer;
    if (e.method === 0) data = raw;
    else if (e.method === 8) data = inflate(raw, e.size, `${file}: member ${name}`);
    else throw new Error(`${file}: member ${name} uses compression method ${e.method}; only stored (0) and deflate (8) are supported`);
    if (data.length !== e.size || crc32(data) !== e.crc32) throw new Error(`${file}: member ${name} is corrupt (size or CRC-32 does not match)`);
    return data;
  } finally {
    fs.closeSync(fd);
  }
}
