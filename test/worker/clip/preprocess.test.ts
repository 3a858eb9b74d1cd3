/**
 * CLIP image preprocessing against a reference written here from the definitions: PIL's
 * ImagingResample (bicubic, antialiased, fixed point), HF's output size and centre crop, alpha on
 * white and EXIF rotation by hand. Fixtures are made with sharp; it only decodes the lossy ones for
 * the reference. Then bad input: each gives an ImageError a user can read.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import sharp from 'sharp';
import { CLIP_MEAN, CLIP_STD, ImageConfig, ImageError, preprocessBatch, preprocessImage, trimToSquare } from '../../../worker/clip/preprocess';
import { svgDensity, svgInPixels } from '../../../worker/clip/svg-size';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-pre-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const clip = (size: number): ImageConfig => ({ size, mean: CLIP_MEAN, std: CLIP_STD });

/**
 * One grey level is at least 1 / (255 * max std) = 0.0142 after normalisation, so a bound of half
 * that says every resized 8-bit pixel equals PIL's; float32 rounding is ~1e-7. Any real bug (crop
 * offset, alpha, channel order, rotation, kernel) moves some pixel by whole levels.
 */
const BOUND = 0.5 / (255 * Math.max(...CLIP_STD));

// ---- the reference ----

type Rgb = { data: Uint8Array; w: number; h: number };
type Filter = { support: number; at: (x: number) => number };

const BICUBIC: Filter = {
  support: 2,
  at: (x) => {
    const a = -0.5;
    const t = Math.abs(x);
    return t < 1 ? (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1 : t < 2 ? a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a : 0;
  },
};
const BILINEAR: Filter = { support: 1, at: (x) => Math.max(0, 1 - Math.abs(x)) };

/** One PIL resampling pass along x or y: kernel widened by the shrink factor, clipped at the edges, fixed-point weights, rounded to 8 bits. */
function resamplePass(img: Rgb, outLen: number, alongX: boolean, filter: Filter): Rgb {
  const inLen = alongX ? img.w : img.h;
  const w = alongX ? outLen : img.w;
  const h = alongX ? img.h : outLen;
  const out = new Uint8Array(w * h * 3);
  const scale = inLen / outLen;
  const widen = Math.max(1, scale);
  const support = filter.support * widen;
  const step = alongX ? 3 : img.w * 3;
  for (let j = 0; j < outLen; j++) {
    const centre = (j + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(centre - support + 0.5));
    const hi = Math.min(inLen, Math.trunc(centre + support + 0.5));
    const raw = Array.from({ length: hi - lo }, (_, t) => filter.at((lo + t - centre + 0.5) * (1 / widen)));
    const total = raw.reduce((s, v) => s + v, 0);
    const fixed = raw.map((v) => Math.trunc((total ? v / total : v) * 2 ** 22 + Math.sign(v) * 0.5));
    for (let o = 0; o < (alongX ? img.h : img.w); o++) {
      const first = alongX ? (o * img.w + lo) * 3 : (lo * img.w + o) * 3;
      for (let c = 0; c < 3; c++) {
        let acc = 2 ** 21;
        for (let t = 0; t < fixed.length; t++) acc += img.data[first + t * step + c] * fixed[t];
        out[(alongX ? o * w + j : j * w + o) * 3 + c] = Math.min(255, Math.max(0, Math.floor(acc / 2 ** 22)));
      }
    }
  }
  return { data: out, w, h };
}

interface RefOptions {
  filter?: Filter;
  cropOffset?: (excess: number) => number;
  channels?: [number, number, number];
}

/** HF's CLIPImageProcessor on an upright RGB image: resize the short side to `size` (PIL, horizontal then vertical), crop, /255, normalise, CHW. */
function reference(img: Rgb, size: number, opts: RefOptions = {}): Float32Array {
  const { filter = BICUBIC, cropOffset = (e: number) => Math.floor(e / 2), channels = [0, 1, 2] } = opts;
  const [w, h] = img.w <= img.h ? [size, Math.trunc((size * img.h) / img.w)] : [Math.trunc((size * img.w) / img.h), size];
  const resized = resamplePass(resamplePass(img, w, true, filter), h, false, filter);
  const left = cropOffset(w - size);
  const top = cropOffset(h - size);
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = resized.data[((top + y) * w + left + x) * 3 + channels[c]];
        out[(c * size + y) * size + x] = (v / 255 - CLIP_MEAN[c]) / CLIP_STD[c];
      }
    }
  }
  return out;
}

/** Alpha compositing over white, rounded to nearest. */
function onWhite(rgba: Uint8Array, w: number, h: number): Rgb {
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const alpha = rgba[p * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(rgba[p * 4 + c] * alpha + 255 * (1 - alpha));
  }
  return { data, w, h };
}

/** PIL's convert("RGB") on RGBA: alpha dropped (what flattening must not do). */
const dropAlpha = (rgba: Uint8Array, w: number, h: number): Rgb => ({ data: rgba.filter((_, i) => i % 4 !== 3), w, h });

/** EXIF orientation 6 (display = stored turned 90° clockwise): display (x, y) is stored (y, h - 1 - x). */
function orient6({ data, w, h }: Rgb): Rgb {
  const out = new Uint8Array(data.length);
  for (let y = 0; y < w; y++) for (let x = 0; x < h; x++) out.set(data.subarray((y + (h - 1 - x) * w) * 3, (y + (h - 1 - x) * w) * 3 + 3), (y * h + x) * 3);
  return { data: out, w: h, h: w };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

// ---- fixtures ----

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Hard-edged blocks and stripes plus noise, so a shifted, blurred or reordered result shows. */
function pattern(w: number, h: number, channels: number, seed: number): Uint8Array {
  const rand = rng(seed);
  const px = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < Math.min(channels, 3); c++) {
        const block = ((Math.floor((x * 7) / w) + Math.floor((y * 5) / h) + c) % 3) * 100;
        const stripe = (x + 2 * y) % 11 < 2 ? 50 : 0;
        px[(y * w + x) * channels + c] = Math.min(255, block + stripe + Math.floor(rand() * 40));
      }
    }
  }
  return px;
}

/** RGBA 300×200: left third opaque, middle a ramp of partial transparency, right third transparent over black. */
function rgbaPattern(w: number, h: number): Uint8Array {
  const px = pattern(w, h, 4, 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 4;
      if (x >= (2 * w) / 3) px.fill(0, p, p + 4);
      else px[p + 3] = x < w / 3 ? 255 : Math.round((255 * (2 * w - 3 * x)) / w);
    }
  }
  return px;
}

const raw = (data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4) => sharp(Buffer.from(data), { raw: { width, height, channels } });
const decodeRgba = async (input: Buffer, page = 0) => {
  const { data, info } = await sharp(input, { page }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return onWhite(data, info.width, info.height);
};

/** A valid PNG header claiming 30000×30000 RGB, with a few hundred bytes of image data behind it. */
function pngBomb(side: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
    return n >>> 0;
  });
  const crc = (b: Buffer) => (b.reduce((c, byte) => crcTable[(c ^ byte) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bits per sample
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(side * 3 + 1))), chunk('IEND', Buffer.alloc(0))]);
}

let png: Buffer;
let pngRgba: Uint8Array;
let jpeg: Buffer;
let gif: Buffer;
beforeAll(async () => {
  pngRgba = rgbaPattern(300, 200);
  png = await raw(pngRgba, 300, 200, 4).png().toBuffer();
  jpeg = await raw(pattern(240, 160, 3, 2), 240, 160, 3)
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const frame = (seed: number) =>
    raw(pattern(5, 3, 3, seed), 5, 3, 3)
      .png()
      .toBuffer();
  gif = await sharp([await frame(3), await frame(4)], { join: { animated: true } })
    .gif()
    .toBuffer();
});

// ---- agreement with the reference ----

/** Prints and checks the agreement with the reference, then that each deliberate mistake is over 2 grey levels off. */
function check(label: string, got: Float32Array, want: Float32Array, mistakes: Record<string, Float32Array>) {
  const diff = maxDiff(got, want);
  const wrong = Object.entries(mistakes).map(([name, t]) => [name, maxDiff(got, t)] as const);
  console.log(`${label}: max |diff| ${diff.toExponential(2)} (bound ${BOUND.toFixed(4)}); ${wrong.map(([n, d]) => `${n}: ${d.toFixed(3)}`).join(', ')}`);
  expect(diff).toBeLessThan(BOUND);
  for (const [, d] of wrong) expect(d).toBeGreaterThan(4 * BOUND);
}

describe('matches CLIP (HF CLIPImageProcessor with PIL) on', () => {
  test.each([224, 63])('a 300×200 PNG with transparency, size %i', async (size) => {
    const got = await preprocessImage(png, clip(size));
    expect(got).toHaveLength(3 * size * size);
    const flat = onWhite(pngRgba, 300, 200);
    const [w, h] = [Math.trunc((size * 300) / 200), size];
    const left = Math.floor((w - size) / 2);
    const viaSharp = await raw(flat.data, 300, 200, 3).resize(w, h, { fit: 'fill', kernel: 'cubic' }).extract({ left, top: 0, width: size, height: size }).raw().toBuffer();
    const mistakes: Record<string, Float32Array> = {
      'alpha dropped': reference(dropAlpha(pngRgba, 300, 200), size),
      BGR: reference(flat, size, { channels: [2, 1, 0] }),
      bilinear: reference(flat, size, { filter: BILINEAR }),
      "sharp resize 'cubic'": reference({ data: viaSharp, w: size, h: size }, size),
    };
    // Excess 31 at size 63: torchvision's rounding would crop one pixel further right than HF's floor.
    if ((w - size) % 4 === 3) mistakes['crop rounded'] = reference(flat, size, { cropOffset: (e) => Math.round(e / 2) });
    check(`PNG RGBA 300×200 @${size}`, got, reference(flat, size), mistakes);
  });

  test.each([224, 63])('a JPEG stored 240×160 with EXIF orientation 6, size %i', async (size) => {
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const stored = { data, w: 240, h: 160 };
    check(`JPEG orientation 6 @${size}`, await preprocessImage(jpeg, clip(size)), reference(orient6(stored), size), {
      'not rotated': reference(stored, size),
    });
  });

  test('the first frame of an animated 5×3 palette GIF', async () => {
    expect((await sharp(gif).metadata()).pages).toBe(2);
    check('GIF 5×3 frame 0 @224', await preprocessImage(gif, clip(224)), reference(await decodeRgba(gif), 224), {
      'second frame': reference(await decodeRgba(gif, 1), 224),
    });
  });

  test('a greyscale PNG: three equal channels', async () => {
    const grey = pattern(40, 30, 1, 5);
    const file = await raw(grey, 40, 30, 1).toColourspace('b-w').png().toBuffer();
    expect((await sharp(file).metadata()).channels).toBe(1);
    const identity: ImageConfig = { size: 16, mean: [0, 0, 0], std: [1, 1, 1] };
    const got = await preprocessImage(file, identity);
    const plane = 16 * 16;
    expect(maxDiff(got.subarray(plane, 2 * plane), got.subarray(0, plane))).toBe(0);
    expect(maxDiff(got.subarray(2 * plane), got.subarray(0, plane))).toBe(0);
    const rgb = { data: Uint8Array.from(Array.from(grey).flatMap((v) => [v, v, v])), w: 40, h: 30 };
    expect(maxDiff(await preprocessImage(file, clip(16)), reference(rgb, 16))).toBeLessThan(BOUND);
  });

  test('a CMYK JPEG: converted to sRGB colour', async () => {
    const cmyk = await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 200, g: 30, b: 60 } } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const got = await preprocessImage(cmyk, clip(8));
    const level = (c: number) => Math.round((got[c * 64 + 27] * CLIP_STD[c] + CLIP_MEAN[c]) * 255);
    expect(level(0)).toBeGreaterThan(170);
    expect(level(1)).toBeLessThan(60);
    expect(level(2)).toBeLessThan(90);
  });
});

// ---- bad input ----

async function reasonFor(source: string | Buffer, cfg = clip(224), name?: string): Promise<string> {
  const err = await preprocessImage(source, cfg, name).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageError);
  const { file, reason, message } = err as ImageError;
  expect(message).toBe(`${file}: ${reason}`);
  return reason;
}

describe('bad input gives an ImageError with a clear reason', () => {
  test('a truncated JPEG', async () => {
    const whole = await raw(pattern(300, 200, 3, 6), 300, 200, 3)
      .jpeg({ quality: 90 })
      .toBuffer();
    expect(await reasonFor(whole.subarray(0, Math.floor(whole.length * 0.6)), clip(224), 'cut.jpg')).toBe('truncated or corrupt JPEG');
  });

  test('but a JPEG with a recoverable libjpeg warning (extraneous bytes) still decodes', async () => {
    const whole = await raw(pattern(64, 48, 3, 7), 64, 48, 3)
      .jpeg()
      .toBuffer();
    const sos = whole.indexOf(Buffer.from([0xff, 0xda]));
    const junk = Buffer.concat([whole.subarray(0, sos), Buffer.from([1, 2, 3, 4]), whole.subarray(sos)]);
    await expect(sharp(junk, { failOn: 'warning' }).raw().toBuffer()).rejects.toThrow(/extraneous bytes/);
    expect(maxDiff(await preprocessImage(junk, clip(32)), await preprocessImage(whole, clip(32)))).toBe(0);
  });

  test('a text file named .png', async () => {
    const file = path.join(dir, 'notes.png');
    fs.writeFileSync(file, 'this is not an image\n');
    expect(await reasonFor(file)).toBe('not an image (unsupported or corrupt data)');
  });

  test('a 30000×30000 PNG decompression bomb, refused from its header', async () => {
    const bomb = pngBomb(30000);
    const before = process.memoryUsage().rss;
    expect(await reasonFor(bomb, clip(224), 'bomb.png')).toBe('image is 30000×30000 = 900 MP, over the 50 MP limit');
    const grown = process.memoryUsage().rss - before;
    console.log(`bomb: ${bomb.length} bytes refused, rss grew ${(grown / 1e6).toFixed(1)} MB (decoding needs 2700 MB)`);
    expect(grown).toBeLessThan(100e6);
  });

  test('maxPixels from the config', async () => {
    expect(await reasonFor(png, { ...clip(224), maxPixels: 50_000 })).toBe('image is 300×200 = 0.06 MP, over the 0.05 MP limit');
  });

  test('an empty file and a missing one', async () => {
    const empty = path.join(dir, 'empty.jpg');
    fs.writeFileSync(empty, '');
    expect(await reasonFor(empty)).toBe('file is empty');
    expect(await reasonFor(Buffer.alloc(0))).toBe('file is empty');
    expect(await reasonFor(path.join(dir, 'missing.png'))).toBe('file not found');
  });

  test('a batch [good, bad, good] returns the two good images and the error', async () => {
    const good = path.join(dir, 'good.png');
    fs.writeFileSync(good, png);
    const bad = path.join(dir, 'bad.png');
    fs.writeFileSync(bad, 'GIF89a but not really');
    const { pixels, ok, errors } = await preprocessBatch([good, bad, jpeg], clip(224));
    expect(ok).toEqual([0, 2]);
    expect(errors.map((e) => [e.file, e.reason])).toEqual([[bad, 'not an image (unsupported or corrupt data)']]);
    const per = 3 * 224 * 224;
    expect(pixels).toHaveLength(2 * per);
    expect(maxDiff(pixels.subarray(0, per), await preprocessImage(png, clip(224)))).toBe(0);
    const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect(maxDiff(pixels.subarray(0, per), reference(onWhite(pngRgba, 300, 200), 224))).toBeLessThan(BOUND);
    expect(maxDiff(pixels.subarray(per), reference(orient6({ data, w: 240, h: 160 }), 224))).toBeLessThan(BOUND);
  });
});

// ---- SVG ----

/** A drawing in a 100×100 viewBox declared at width×height: the declared size is only a claim. */
const svg = (width: number, height: number, body: string) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 100 100" preserveAspectRatio="none">${body}</svg>`);
const DRAWING = '<rect width="100" height="100" fill="#fff"/><circle cx="40" cy="55" r="30" fill="#c03"/><path d="M10 10 L90 20 L60 90 Z" fill="none" stroke="#036" stroke-width="3"/>';
const TURBULENCE = '<filter id="t"><feTurbulence baseFrequency="0.9" numOctaves="10"/></filter><rect width="100" height="100" filter="url(#t)"/>';

describe('an SVG is rendered at the crop size, not its declared size', () => {
  test('declared 3000×3000 or 300×600, it gives the pixels of the same drawing declared 224×224 or 224×448', async () => {
    expect(maxDiff(await preprocessImage(svg(3000, 3000, DRAWING), clip(224)), await preprocessImage(svg(224, 224, DRAWING), clip(224)))).toBe(0);
    expect(maxDiff(await preprocessImage(svg(300, 600, DRAWING), clip(224)), await preprocessImage(svg(224, 448, DRAWING), clip(224)))).toBe(0);
  });

  test('declared in pt, it renders as declared in px: an 850pt drawing is not a blank speck, a 1pt one not 37,000 px a side', async () => {
    const inUnits = (side: string) => Buffer.from(svg(1, 1, DRAWING).toString().replace('width="1" height="1"', `width="${side}" height="${side}"`));
    const px = await preprocessImage(svg(224, 224, DRAWING), clip(224));
    expect(maxDiff(await preprocessImage(inUnits('850pt'), clip(224)), px)).toBe(0);
    expect(maxDiff(await preprocessImage(inUnits('1pt'), { ...clip(224), maxPixels: 100_000, timeoutSeconds: 5 }), px)).toBeLessThan(1);
  });

  test("where the size is out of svgInPixels' reach (an entity in the unit), svgDensity still renders at the meant size, not 37,000 px a side", async () => {
    const px = await preprocessImage(svg(224, 224, DRAWING), clip(224));
    const entity = Buffer.from(svg(1, 1, DRAWING).toString().replace('width="1" height="1"', 'width="1&#112;t" height="1&#112;t"'));
    expect(svgInPixels(entity)).toBe(entity);
    expect(await svgDensity(entity, 192, { width: 1, height: 1 })).toEqual({ density: 72 * Math.sqrt(192), width: 192, height: 192 });
    expect(maxDiff(await preprocessImage(entity, { ...clip(224), maxPixels: 100_000, timeoutSeconds: 5 }), px)).toBeLessThan(1);
    expect(await svgDensity(svg(850, 850, DRAWING), 0.1, { width: 850, height: 850 })).toEqual({ density: 7.2, width: 85, height: 85 });
  });

  test('an A4 drawing in mm without a viewBox (as Inkscape saves) renders whole, as the same drawing sized in pixels', async () => {
    const a4 = (width: string, height: string) =>
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="794" height="1123" fill="#fff"/><circle cx="397" cy="561" r="300" fill="#c03"/></svg>`);
    const inPx = await preprocessImage(a4('793.701', '1122.52'), clip(224));
    expect(maxDiff(await preprocessImage(a4('210mm', '297mm'), clip(224)), inPx)).toBeLessThan(0.05);
    // Not the blank corner librsvg gives at this size: the disc's red is at the centre.
    const centre = 112 * 224 + 112;
    expect(inPx[centre]).toBeGreaterThan(inPx[224 * 224 + centre] + 1);
    expect(svgInPixels(a4('210mm', '297mm')).toString()).toContain('<svg viewBox="0 0 793.701 1122.52" xmlns="http://www.w3.org/2000/svg" width="793.701" height="1122.52">');
    const plain = a4('210', '297');
    expect(svgInPixels(plain)).toBe(plain);
  });

  test('svgInPixels rewrites the root alone: not a <svg> in a comment, not an attribute spelt in capitals, and a mixed-unit size gets its viewBox', () => {
    const text = (s: string) => svgInPixels(Buffer.from(s)).toString();
    expect(text('<!-- <svg width="1in"> --><svg width="1in" height="2in"><g/></svg>')).toBe('<!-- <svg width="1in"> --><svg viewBox="0 0 96 192" width="96" height="192"><g/></svg>');
    expect(text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "<svg width=\'1in\'>">]><svg width="1in" height="10"/>')).toContain('<svg viewBox="0 0 96 10" width="96" height="10"/>');
    expect(text('<svg WIDTH="1in" height="5" stroke-width="2pt"/>')).toBe('<svg WIDTH="1in" height="5" stroke-width="2pt"/>');
    expect(text('<svg width="1in" height="1in" viewBox="0 0 10 10"/>')).toBe('<svg width="96" height="96" viewBox="0 0 10 10"/>');
  });

  test('a feTurbulence bomb declared 3000×3000 (9 MP) renders within a 0.1 MP pixel limit', async () => {
    const bomb = svg(3000, 3000, TURBULENCE);
    expect(bomb.length).toBeLessThan(300);
    expect(await preprocessImage(bomb, { ...clip(224), maxPixels: 100_000 })).toHaveLength(3 * 224 * 224);
  });

  test('one 30000 times wider than tall renders smaller, within the SVG pixel cap and librsvg side limit', async () => {
    expect(await preprocessImage(svg(300_000, 10, DRAWING), clip(224))).toHaveLength(3 * 224 * 224);
  });

  test('a declared size that no density brings under the limits is refused from the header', async () => {
    expect(await reasonFor(svg(1e7, 1e7, TURBULENCE))).toBe('SVG is 10000000×10000000: even at the lowest density it would render 138889×138889, over the 2 MP or 32767 px a side limit');
    expect(await reasonFor(svg(3e6, 100, DRAWING))).toBe('SVG is 3000000×100: even at the lowest density it would render 41667×1, over the 2 MP or 32767 px a side limit');
  });

  test('one too complex to render in the time limit is killed and refused by reason', async () => {
    // 600 bytes: nested <use>s draw the turbulence 10^4 times, minutes of rendering even at 224×224.
    const tens = ['r', 'a', 'b', 'c'].map((id, i) => `<g id="${'abcd'[i]}">${`<use href="#${id}"/>`.repeat(10)}</g>`).join('');
    const bomb = svg(
      224,
      224,
      `<defs><filter id="t"><feTurbulence baseFrequency="0.9" numOctaves="10"/></filter><rect id="r" width="100" height="100" opacity="0.5" filter="url(#t)"/>${tens}</defs><use href="#d"/>`,
    );
    expect(await reasonFor(bomb, { ...clip(224), timeoutSeconds: 1 })).toBe('SVG took longer than 1 s to render (too complex)');
  });
});

describe("fit 'trim': art is cut from its plain background and centred on a white square", () => {
  /** A w×h image of `bg` with a `box` of `ink` at (x, y). */
  const picture = (w: number, h: number, bg: number[], ink: number[], box: { x: number; y: number; w: number; h: number }) => {
    const rgb = new Uint8Array(3 * w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const inside = x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h;
        rgb.set(inside ? ink : bg, 3 * (y * w + x));
      }
    return rgb;
  };

  test('the content box of a wide image becomes a square with a 1/24 margin each side', () => {
    const rgb = picture(100, 40, [250, 250, 250], [200, 0, 0], { x: 30, y: 10, w: 44, h: 22 });
    const t = trimToSquare(rgb, 100, 40);
    expect([t.width, t.height]).toEqual([48, 48]);
    const at = (x: number, y: number) => Array.from(t.rgb.subarray(3 * (y * 48 + x), 3 * (y * 48 + x) + 3));
    // Centred: 2 px of white left and right, 13 above, the box's red in between.
    expect([at(1, 24), at(2, 24), at(45, 24), at(46, 24)]).toEqual([
      [255, 255, 255],
      [200, 0, 0],
      [200, 0, 0],
      [255, 255, 255],
    ]);
    expect([at(24, 12), at(24, 13), at(24, 34), at(24, 35)]).toEqual([
      [255, 255, 255],
      [200, 0, 0],
      [200, 0, 0],
      [255, 255, 255],
    ]);
  });

  test('an image of one colour is left as it is', () => {
    const rgb = new Uint8Array(3 * 8 * 6).fill(90);
    expect(trimToSquare(rgb, 8, 6)).toEqual({ rgb, width: 8, height: 6 });
  });

  test('preprocessing with fit trim gives the same pixels for the art wherever it sits on its canvas', async () => {
    const png = async (x: number, y: number) =>
      sharp(Buffer.from(picture(120, 90, [255, 255, 255], [20, 90, 200], { x, y, w: 30, h: 30 })), { raw: { width: 120, height: 90, channels: 3 } })
        .png()
        .toBuffer();
    const cfg = { size: 24, mean: CLIP_MEAN, std: CLIP_STD, fit: 'trim' as const };
    const a = await preprocessImage(await png(5, 7), cfg);
    const b = await preprocessImage(await png(80, 50), cfg);
    expect(Array.from(a)).toEqual(Array.from(b));
    // Without the fit, CLIP's centre crop sees two different pictures.
    const plain = { size: 24, mean: CLIP_MEAN, std: CLIP_STD };
    expect(Array.from(await preprocessImage(await png(5, 7), plain))).not.toEqual(Array.from(await preprocessImage(await png(80, 50), plain)));
  });
});
