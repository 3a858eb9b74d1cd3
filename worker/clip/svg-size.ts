/** An SVG's size made plain for rendering at a chosen size, whatever units it is declared in. */
import sharp from 'sharp';

/** CSS pixels per absolute unit (a browser's 96 dpi). */
const CSS_PX: Record<string, number> = { in: 96, cm: 96 / 2.54, mm: 96 / 25.4, pt: 96 / 72, pc: 16 };
const ROOT = /<svg\b[^>]*>/;
const attr = (name: string) => new RegExp(`(\\s${name}\\s*=\\s*)(["'])\\s*([0-9.eE+-]+)\\s*(in|cm|mm|pt|pc)\\s*\\2`, 'i');

/**
 * The SVG with a root width or height in absolute units (mm, cm, in, pt, pc) restated in CSS
 * pixels, with the viewBox a browser gives it where it has none. librsvg scales such a drawing's
 * content with the density but its canvas with the density squared, so below 72 dpi an A4 drawing
 * in mm shows only its blank top-left corner; in pixels, both scale alike and it renders as a
 * browser shows it. Other SVGs are returned as they are.
 */
export function svgInPixels(bytes: Buffer): Buffer {
  // latin1 maps bytes to characters one to one, so everything outside the root tag is kept byte for byte.
  const text = bytes.toString('latin1');
  const root = ROOT.exec(text);
  if (!root) return bytes;
  const sizes: Record<string, number> = {};
  let tag = root[0];
  for (const name of ['width', 'height']) {
    tag = tag.replace(attr(name), (all: string, before: string, quote: string, value: string, unit: string) => {
      const px = Number(value) * CSS_PX[unit.toLowerCase()];
      if (!Number.isFinite(px)) return all;
      sizes[name] = px;
      return `${before}${quote}${+px.toFixed(3)}${quote}`;
    });
  }
  if (tag === root[0]) return bytes;
  if (!/\sviewBox\s*=/.test(tag) && sizes.width > 0 && sizes.height > 0) tag = tag.replace(/^<svg\b/, `<svg viewBox="0 0 ${+sizes.width.toFixed(3)} ${+sizes.height.toFixed(3)}"`);
  return Buffer.from(text.slice(0, root.index) + tag + text.slice(root.index + root[0].length), 'latin1');
}

/** sharp's range of densities (dpi). */
const MIN_DENSITY = 1;
const MAX_DENSITY = 100_000;

export interface SvgRendering {
  density: number;
  /** The size it renders at with that density. */
  width: number;
  height: number;
}

/**
 * The density at which sharp renders an SVG at `scale` times its size at 72 dpi. librsvg scales a
 * size declared in px by density / 72 but one declared in pt, mm or in by (density / 72)² (the
 * density converts the units, then scales the result), so 72 × scale would render an 850pt drawing
 * meant for 96 px at 11 px, and a 1pt one meant for 192 px at 36,864: the power is read from the
 * header at two densities, and the size it will render at from the header at the chosen one.
 */
export async function svgDensity(bytes: Buffer, scale: number): Promise<SvgRendering> {
  const size = async (density: number) => {
    const m = await sharp(bytes, { density, limitInputPixels: false }).metadata();
    return { width: m.width ?? 0, height: m.height ?? 0 };
  };
  const side = async (density: number) => Math.max(...Object.values(await size(density)));
  const [at72, at720] = [await side(72), await side(720)];
  const power = at72 > 0 && at720 > 0 ? Math.min(2, Math.max(1, Math.round(Math.log10(at720 / at72)))) : 1;
  const density = Math.min(Math.max(72 * scale ** (1 / power), MIN_DENSITY), MAX_DENSITY);
  return { density, ...(await size(density)) };
}
