/**
 * Artwork to small square PNGs on white, and the renderings that teach CLIP to see past an art
 * style: grey, outlined (OpenMoji-like flat colour with dark outlines is what the training styles
 * lack), and colour-jittered with a random zoom and shift. Rendering is in-process (the data is
 * pinned, so the product's sandboxed SVG path is not needed) and skipped for files already there.
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { trimToSquare } from '../../worker/clip/preprocess';
import { svgDensity, svgInPixels } from '../../worker/clip/svg-size';
import { Rng } from '../../worker/train/rng';

export type Variant = 'grey' | 'outline' | 'jitter';
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
/** An SVG is rasterised at this multiple of the target size, then shrunk (crisper than rendering small). */
const OVERSAMPLE = 2;
const RENDER_SECONDS = 10;

/**
 * `file` (PNG or SVG) as a size x size PNG at `out`: flattened on white, cut to its art and centred
 * with a margin as the product's 'trim' fit does (styles frame their art differently: OpenMoji leaves
 * a wide margin). A rendering of one colour is an error, not an image. An existing `out` is kept.
 */
export async function renderArt(file: string, out: string, size: number): Promise<void> {
  if (fs.existsSync(out)) return;
  const svg = file.toLowerCase().endsWith('.svg');
  const bytes = svg ? svgInPixels(fs.readFileSync(file)) : fs.readFileSync(file);
  let input = sharp(bytes);
  if (svg) {
    const { width = size, height = size } = await sharp(bytes).metadata();
    input = sharp(bytes, { density: (await svgDensity(bytes, (OVERSAMPLE * size) / Math.max(width, height), { width, height })).density });
  }
  const flat = await input.flatten({ background: WHITE }).removeAlpha().timeout({ seconds: RENDER_SECONDS }).raw().toBuffer({ resolveWithObject: true });
  const trimmed = trimToSquare(flat.data, flat.info.width, flat.info.height);
  if (trimmed.rgb === flat.data) throw new Error('renders as one colour');
  const png = await sharp(trimmed.rgb, { raw: { width: trimmed.width, height: trimmed.height, channels: 3 } })
    .resize(size, size)
    .png()
    .toBuffer();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.part`, png);
  fs.renameSync(`${out}.part`, out);
}

/** Dark pixels where luminance changes sharply (Sobel), over colours rounded to a few levels. */
function outline(px: Buffer, size: number): Buffer {
  const lum = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) lum[i] = 0.299 * px[3 * i] + 0.587 * px[3 * i + 1] + 0.114 * px[3 * i + 2];
  const at = (x: number, y: number) => lum[Math.min(size - 1, Math.max(0, y)) * size + Math.min(size - 1, Math.max(0, x))];
  const out = Buffer.alloc(px.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      const i = 3 * (y * size + x);
      const edge = Math.hypot(gx, gy) > 160;
      for (let c = 0; c < 3; c++) out[i + c] = edge ? 30 : Math.min(255, Math.round(px[i + c] / 64) * 64);
    }
  return out;
}

/** A variant of a rendered PNG at `out` (seeded by `seed` and `key`); an existing `out` is kept. */
export async function renderVariant(png: string, out: string, v: Variant, size: number, seed: number, key: number): Promise<void> {
  if (fs.existsSync(out)) return;
  let buf: Buffer;
  if (v === 'grey') buf = await sharp(png).grayscale().toColourspace('srgb').png().toBuffer();
  else if (v === 'outline') {
    const raw = await sharp(png).removeAlpha().raw().toBuffer();
    buf = await sharp(outline(raw, size), { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer();
  } else {
    const rng = new Rng(seed, 31, key);
    const inner = Math.round(size * (0.7 + 0.3 * rng.uniform()));
    const left = Math.floor(rng.uniform() * (size - inner + 1));
    const top = Math.floor(rng.uniform() * (size - inner + 1));
    const shrunk = await sharp(png)
      .modulate({ hue: Math.round(rng.uniform() * 60 - 30), saturation: 0.6 + 0.8 * rng.uniform(), brightness: 0.85 + 0.3 * rng.uniform() })
      .resize(inner, inner)
      .toBuffer();
    buf = await sharp({ create: { width: size, height: size, channels: 3, background: WHITE } })
      .composite([{ input: shrunk, left, top }])
      .png()
      .toBuffer();
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.part`, buf);
  fs.renameSync(`${out}.part`, out);
}
