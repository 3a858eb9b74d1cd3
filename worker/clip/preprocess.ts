/**
 * CLIP's image preprocessing, giving the tensors Hugging Face's CLIPImageProcessor (its PIL path)
 * gives for the same decoded pixels, bit for bit: shortest side to `size` by PIL's antialiased
 * bicubic resampling, centre crop, /255, (x - mean) / std, CHW. OpenAI CLIP's torchvision transform
 * differs only in rounding the crop offset (see resizeCropNormalise).
 *
 * sharp decodes: EXIF orientation, colour management to 8-bit sRGB (greyscale, palette, CMYK, ICC
 * profiles), first frame of an animation, refusing truncated data, and oversized images from their
 * header; SVGs are rendered at about the crop size, not their declared one (see renderSvg). The
 * resampling is ours, not sharp's, because libvips cannot reproduce PIL's: it upsamples on
 * corner-aligned sample positions, half a pixel off PIL's centres (tens of grey levels apart on
 * detailed images, whatever the kernel), and shrinks by over 4x with a box pre-shrink (up to ~14
 * levels apart). Its closest kernel, 'cubic', is within ~0.4 levels on average only for 1-4x
 * reductions.
 *
 * Where we differ from CLIP on purpose: EXIF orientation is applied, transparency is flattened
 * onto white (PIL's convert("RGB") drops alpha, exposing whatever colour transparent pixels hold)
 * and embedded colour profiles are honoured (PIL ignores them).
 */
import { spawn } from 'child_process';
import { promises as fsp } from 'fs';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { wholeNumberIn } from '../validate';
import { svgDensity, svgInPixels } from './svg-size';

export interface ImageConfig {
  size: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Images with more pixels are refused from their header (SVGs render smaller); default 50 megapixels. */
  maxPixels?: number;
  /** A decode (or an SVG's rendering) still running after this many whole seconds fails; default 20. */
  timeoutSeconds?: number;
  /**
   * 'trim': the art is cut out of its plain background and padded square before the resize, as a
   * bundle trained on art saw its images (manifest clip.fit). Absent: CLIP's resize and centre crop.
   */
  fit?: 'trim';
}

export const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];
const DEFAULT_MAX_PIXELS = 50_000_000;
const DEFAULT_TIMEOUT_SECONDS = 20;
/** Rendering cost grows with pixels: a 224-px short side up to an aspect of ~40:1; wider SVGs render smaller. */
const SVG_MAX_PIXELS = 2_000_000;
/** librsvg refuses to render a side longer than this. */
const SVG_MAX_SIDE = 32767;

/** An image that cannot be used, with a reason a user understands; the library's error is its cause. */
export class ImageError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${reason}`, options);
    this.name = 'ImageError';
  }
}

/** One image -> Float32Array of length 3*size*size, CHW, normalised. `source` is a path or a Buffer (name used in errors). */
export async function preprocessImage(source: string | Buffer, cfg: ImageConfig, name?: string): Promise<Float32Array> {
  checkConfig(cfg);
  const out = new Float32Array(3 * cfg.size * cfg.size);
  await preprocessInto(source, cfg, name ?? nameOf(source), out);
  return out;
}

/**
 * Several images into one batch buffer, one image after another to bound memory. Per-image
 * failures are returned, not thrown: `pixels` is [ok.length, 3, size, size], row i holding
 * sources[ok[i]].
 */
export async function preprocessBatch(sources: (string | Buffer)[], cfg: ImageConfig): Promise<{ pixels: Float32Array; ok: number[]; errors: ImageError[] }> {
  checkConfig(cfg);
  const per = 3 * cfg.size * cfg.size;
  const pixels = new Float32Array(sources.length * per);
  const ok: number[] = [];
  const errors: ImageError[] = [];
  for (const [i, source] of sources.entries()) {
    try {
      await preprocessInto(source, cfg, nameOf(source, i), pixels.subarray(ok.length * per, (ok.length + 1) * per));
      ok.push(i);
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
      errors.push(e);
    }
  }
  return { pixels: ok.length === sources.length ? pixels : pixels.slice(0, ok.length * per), ok, errors };
}

function checkConfig(cfg: ImageConfig): void {
  wholeNumberIn('image size', cfg.size, 1);
  // sharp's timeout takes whole seconds up to an hour.
  if (cfg.timeoutSeconds !== undefined) wholeNumberIn('timeoutSeconds', cfg.timeoutSeconds, 1, 3600);
}

const nameOf = (source: string | Buffer, i?: number) => (typeof source === 'string' ? source : i === undefined ? '<buffer>' : `<buffer ${i}>`);

async function preprocessInto(source: string | Buffer, cfg: ImageConfig, file: string, out: Float32Array): Promise<void> {
  const image = await decode(await readBytes(source, file), file, cfg);
  let rgb = image.channels === 4 ? flattenOnWhite(image) : image.data;
  let [width, height] = [image.width, image.height];
  if (cfg.fit === 'trim') ({ rgb, width, height } = trimToSquare(rgb, width, height));
  const [w, h] = resizedSize(width, height, cfg.size);
  resizeCropNormalise(rgb, width, height, w, h, cfg, out);
}

/** A pixel differs from the background when a channel is more than this apart. */
const TRIM_THRESHOLD = 10;
/** White around the trimmed art on each side, as a share of the square's side (2 px of 48 in training). */
const TRIM_MARGIN = 1 / 24;
/** SVGs fitted by trimming render at this multiple of the size, so that small art keeps its detail. */
const TRIM_OVERSAMPLE = 4;

/**
 * RGB pixels cut to what differs from the top-left pixel's colour, centred on a white square with
 * a margin; an image of one colour is returned as it is.
 */
export function trimToSquare(rgb: Uint8Array, width: number, height: number): { rgb: Uint8Array; width: number; height: number } {
  const bg = [rgb[0], rgb[1], rgb[2]];
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      if (Math.abs(rgb[i] - bg[0]) > TRIM_THRESHOLD || Math.abs(rgb[i + 1] - bg[1]) > TRIM_THRESHOLD || Math.abs(rgb[i + 2] - bg[2]) > TRIM_THRESHOLD) {
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
  if (x1 < 0) return { rgb, width, height };
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const side = Math.round(Math.max(bw, bh) / (1 - 2 * TRIM_MARGIN));
  const out = new Uint8Array(3 * side * side).fill(255);
  const [ox, oy] = [Math.floor((side - bw) / 2), Math.floor((side - bh) / 2)];
  for (let y = 0; y < bh; y++) out.set(rgb.subarray(3 * ((y0 + y) * width + x0), 3 * ((y0 + y) * width + x0 + bw)), 3 * ((oy + y) * side + ox));
  return { rgb: out, width: side, height: side };
}

// ---- decoding (sharp) ----

/** An upright 8-bit sRGB image, 3 or 4 (with alpha) interleaved channels. */
interface Decoded {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'file not found',
  EISDIR: 'is a directory, not an image file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

async function readBytes(source: string | Buffer, file: string): Promise<Buffer> {
  if (typeof source !== 'string') return source;
  try {
    return await fsp.readFile(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new ImageError(file, FILE_PROBLEMS[code] ?? `cannot read file (${code || (e as Error).message})`, { cause: e });
  }
}

const megapixels = (pixels: number) => `${Math.round(pixels / 1e4) / 100} MP`;

async function decode(bytes: Buffer, file: string, cfg: ImageConfig): Promise<Decoded> {
  if (bytes.length === 0) throw new ImageError(file, 'file is empty');
  const maxPixels = cfg.maxPixels ?? DEFAULT_MAX_PIXELS;
  const seconds = cfg.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  // The header alone, so that a decompression bomb is refused before a pixel is decoded.
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageError(file, 'not an image (unsupported or corrupt data)', { cause: e });
  }
  const { width = 0, height = 0, format = 'image' } = meta;
  if (format === 'svg') {
    const svg = svgInPixels(bytes);
    const size =
      svg === bytes
        ? meta
        : await sharp(svg, { limitInputPixels: false })
            .metadata()
            .catch((e: unknown) => Promise.reject(new ImageError(file, 'truncated or corrupt SVG', { cause: e })));
    return renderSvg(svg, file, size.width ?? 0, size.height ?? 0, cfg.fit === 'trim' ? TRIM_OVERSAMPLE * cfg.size : cfg.size, Math.min(maxPixels, SVG_MAX_PIXELS), seconds);
  }
  if (width * height > maxPixels) {
    throw new ImageError(file, `image is ${width}×${height} = ${megapixels(width * height)}, over the ${megapixels(maxPixels)} limit`);
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    // 'truncated': a cut-off file is an error instead of grey fill, while the recoverable
    // warnings common in camera JPEGs (extraneous bytes) still decode, as they do in PIL.
    decoded = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated', autoOrient: true })
      .timeout({ seconds })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    if (/^timeout\b/.test((e as Error).message)) throw new ImageError(file, `decoding took longer than ${seconds} s`, { cause: e });
    throw new ImageError(file, `truncated or corrupt ${format.toUpperCase()}`, { cause: e });
  }
  return checkLayout(file, decoded);
}

function checkLayout(file: string, { data, info }: { data: Buffer; info: { width: number; height: number; channels: number } }): Decoded {
  if (info.channels !== 3 && info.channels !== 4) throw new ImageError(file, `unsupported pixel layout (${info.channels} channels)`);
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * Renders SVG bytes (read from stdin) at the density in argv with the sharp module in argv, and
 * writes width, height and channels (uint32 LE each), then the raw pixels, to stdout.
 */
const SVG_RENDERER = `
const sharp = require(process.argv[1]);
const input = [];
process.stdin.on('data', (c) => input.push(c)).on('end', () =>
  // No pixel limit here: the parent chose the density for a size within its limit.
  sharp(Buffer.concat(input), { density: Number(process.argv[2]), limitInputPixels: false, failOn: 'truncated' })
    .toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
    .then(({ data, info }) => {
      const head = Buffer.alloc(12);
      [info.width, info.height, info.channels].forEach((v, i) => head.writeUInt32LE(v, 4 * i));
      process.stdout.write(Buffer.concat([head, data]));
    }, (e) => { process.stderr.write(e.message); process.exitCode = 1; }));
`;

/**
 * An SVG of declared size width×height (at 72 dpi) rendered with its short side at `size`, or
 * smaller where that would pass `maxPixels` or librsvg's side limit; never at its declared size,
 * which may be 50 MP that a 275-byte feTurbulence takes half a minute to fill. The rendering runs in
 * a child process killed at the deadline: librsvg renders in one native call that sharp's timeout
 * cannot stop (600 bytes of nested <use>s of a filter render for minutes even at 224×224), and a
 * thread stuck in it would stay stuck.
 */
async function renderSvg(bytes: Buffer, file: string, width: number, height: number, size: number, maxPixels: number, seconds: number): Promise<Decoded> {
  if (!(width > 0 && height > 0)) throw new ImageError(file, 'SVG has no size');
  const scale = Math.min(size / Math.min(width, height), Math.sqrt(maxPixels / (width * height)), SVG_MAX_SIDE / Math.max(width, height));
  let rendering: { density: number; width: number; height: number };
  try {
    rendering = await svgDensity(bytes, scale, { width, height });
  } catch (e) {
    throw new ImageError(file, 'truncated or corrupt SVG', { cause: e });
  }
  const { density, width: w, height: h } = rendering;
  if (!(w > 0 && h > 0)) throw new ImageError(file, 'SVG has no size');
  // A pixel over from rounding is not over; more is a size that even the lowest density does not bring under.
  if ((w - 1) * (h - 1) > maxPixels || Math.max(w, h) - 1 > SVG_MAX_SIDE) {
    throw new ImageError(file, `SVG is ${width}×${height}: even at the lowest density it would render ${w}×${h}, over the ${megapixels(maxPixels)} or ${SVG_MAX_SIDE} px a side limit`);
  }
  const child = spawn(process.execPath, ['-e', SVG_RENDERER, require.resolve('sharp'), String(density)], { stdio: 'pipe' });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  // A child killed or failed before reading all its input makes writing it fail (EPIPE): its exit says why.
  child.stdin.on('error', () => {});
  child.stdin.end(bytes);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, seconds * 1000);
  const ended = await new Promise<string | null>((resolve, reject) =>
    child.on('error', reject).on('close', (code, signal) => resolve(code === 0 ? null : signal ? `killed by ${signal}` : `exit code ${code}`)),
  ).finally(() => clearTimeout(timer));
  if (timedOut) throw new ImageError(file, `SVG took longer than ${seconds} s to render (too complex)`);
  if (ended) throw new ImageError(file, 'truncated or corrupt SVG', { cause: new Error(Buffer.concat(err).toString().trim() || `the renderer ended with ${ended}`) });
  const all = Buffer.concat(out);
  const [rw, rh, channels] = [0, 4, 8].map((at) => all.readUInt32LE(at));
  return checkLayout(file, { data: all.subarray(12), info: { width: rw, height: rh, channels } });
}

/** Composites RGBA onto white, rounding to nearest, in place; returns the RGB prefix. */
function flattenOnWhite({ data, width, height }: Decoded): Uint8Array {
  const n = width * height;
  for (let i = 0, o = 0; o < n * 3; i += 4, o += 3) {
    const a = data[i + 3];
    const white = 255 * (255 - a);
    data[o] = Math.round((data[i] * a + white) / 255);
    data[o + 1] = Math.round((data[i + 1] * a + white) / 255);
    data[o + 2] = Math.round((data[i + 2] * a + white) / 255);
  }
  return data.subarray(0, n * 3);
}

// ---- geometry and normalisation (Hugging Face) ----

/** HF's get_resize_output_image_size: the short side becomes `size`, the long one int(size * long / short). */
function resizedSize(width: number, height: number, size: number): [number, number] {
  if (width <= height) return [size, Math.floor((size * height) / width)];
  return [Math.floor((size * width) / height), size];
}

/**
 * uint8 -> normalised value per channel, as HF computes it: float64 v * (1/255) cast to float32,
 * then (x - mean) / std in float32 (torchvision's ToTensor divides by 255 instead: at most 1 ulp).
 */
function normaliser(cfg: ImageConfig): Float32Array {
  const f = Math.fround;
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = f(f(f(v * (1 / 255)) - f(cfg.mean[c])) / f(cfg.std[c]));
  }
  return lut;
}

// ---- resampling (PIL's ImagingResample, 8 bits per channel) ----

/** PIL's PRECISION_BITS for 8-bit images: weights are fixed point with this many fraction bits. */
const PRECISION = 22;
const ONE = 1 << PRECISION;
const HALF = 1 << (PRECISION - 1);

/** Keys' cubic with a = -0.5, PIL's BICUBIC (support 2). */
function bicubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** For each output pixel: its first input pixel, how many it reads, and its fixed-point weights (`stride` apart). */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Int32Array;
  stride: number;
}

/**
 * PIL's precompute_coeffs + normalize_coeffs_8bpc for output pixels [first, first + n) of an axis
 * resized from inSize to outSize: on shrinking, the kernel is widened by the factor (antialiasing),
 * clipped at the image edges and renormalised.
 */
function taps(inSize: number, outSize: number, first: number, n: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const inv = 1 / filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const t: Taps = { start: new Int32Array(n), count: new Int32Array(n), weights: new Int32Array(n * stride), stride };
  const w = new Float64Array(stride);
  for (let j = 0; j < n; j++) {
    const center = (first + j + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let x = lo; x < hi; x++) sum += w[x - lo] = bicubic((x - center + 0.5) * inv);
    for (let i = 0; i < hi - lo; i++) {
      const v = sum !== 0 ? w[i] / sum : w[i];
      t.weights[j * stride + i] = Math.trunc(v < 0 ? v * ONE - 0.5 : v * ONE + 0.5);
    }
    t.start[j] = lo;
    t.count[j] = hi - lo;
  }
  return t;
}

/** PIL's clip8: a fixed-point sum back to 0..255. */
const clip8 = (v: number) => (v <= 0 ? 0 : v >= ONE * 256 ? 255 : v >> PRECISION);

/**
 * Image.resize((w, h), BICUBIC) then the centre crop, as PIL runs it (horizontal pass rounded to
 * 8 bits, then vertical), but computing only the pixels the crop keeps, then normalising into CHW.
 * HF's center_crop offsets: floor((w - size) / 2), floor((h - size) / 2) (torchvision's CenterCrop
 * rounds instead: one pixel further when the excess is 3 mod 4).
 */
function resizeCropNormalise(src: Uint8Array, inW: number, inH: number, w: number, h: number, cfg: ImageConfig, out: Float32Array): void {
  const { size } = cfg;
  const lut = normaliser(cfg);
  const ht = taps(inW, w, Math.floor((w - size) / 2), size);
  const vt = taps(inH, h, Math.floor((h - size) / 2), size);
  const row0 = vt.start[0];
  const rows = vt.start[size - 1] + vt.count[size - 1] - row0;

  const mid = new Uint8Array(rows * size * 3);
  for (let y = 0; y < rows; y++) {
    const line = (row0 + y) * inW * 3;
    for (let x = 0; x < size; x++) {
      const base = x * ht.stride;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0, p = line + ht.start[x] * 3; i < ht.count[x]; i++, p += 3) {
        const k = ht.weights[base + i];
        r += src[p] * k;
        g += src[p + 1] * k;
        b += src[p + 2] * k;
      }
      const o = (y * size + x) * 3;
      mid[o] = clip8(r);
      mid[o + 1] = clip8(g);
      mid[o + 2] = clip8(b);
    }
  }

  const plane = size * size;
  const step = size * 3;
  for (let y = 0; y < size; y++) {
    const base = y * vt.stride;
    const first = (vt.start[y] - row0) * step;
    for (let x = 0; x < size; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0, p = first + x * 3; i < vt.count[y]; i++, p += step) {
        const k = vt.weights[base + i];
        r += mid[p] * k;
        g += mid[p + 1] * k;
        b += mid[p + 2] * k;
      }
      const o = y * size + x;
      out[o] = lut[clip8(r)];
      out[plane + o] = lut[256 + clip8(g)];
      out[2 * plane + o] = lut[512 + clip8(b)];
    }
  }
}
