/** An SVG's size made plain for rendering at a chosen size, whatever units it is declared in. */
import sharp from 'sharp';

/** CSS pixels per absolute unit (a browser's 96 dpi); units are case-insensitive in CSS, attribute names are not. */
const CSS_PX: Record<string, number> = { in: 96, cm: 96 / 2.54, mm: 96 / 25.4, pt: 96 / 72, pc: 16 };
const LENGTH = /^\s*([0-9.eE+-]+)\s*([a-zA-Z]*)\s*$/;
/** Comments, processing instructions and the DOCTYPE: where a `<svg` is not the root. */
const NOT_MARKUP = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^[>]*(\[[\s\S]*?\])?[^>]*>/g;
const ROOT = /<svg\b[^>]*>/;
const sizeAttr = (name: string) => new RegExp(`(\\s${name}\\s*=\\s*)(["'])([^"']*)\\2`);

/** A length attribute in CSS pixels, and whether it was given in an absolute unit; null when it is neither a number nor a px or absolute length. */
function cssPixels(value: string): { px: number; absolute: boolean } | null {
  const m = LENGTH.exec(value);
  if (!m) return null;
  const unit = m[2].toLowerCase();
  const px = Number(m[1]) * (unit === '' || unit === 'px' ? 1 : (CSS_PX[unit] ?? NaN));
  return Number.isFinite(px) ? { px, absolute: unit in CSS_PX } : null;
}

/**
 * The SVG with a root width or height in absolute units (mm, cm, in, pt, pc) restated in CSS
 * pixels, with the viewBox a browser gives it where it has none. librsvg scales such a drawing's
 * content with the density but its canvas with the density squared, so below 72 dpi an A4 drawing
 * in mm shows only its blank top-left corner; in pixels, both scale alike and it renders as a
 * browser shows it. Other SVGs are returned as they are (svgDensity still sizes those right).
 */
export function svgInPixels(bytes: Buffer): Buffer {
  // latin1 maps bytes to characters one to one, so everything outside the root tag is kept byte for byte.
  const text = bytes.toString('latin1');
  const root = ROOT.exec(text.replace(NOT_MARKUP, (m) => ' '.repeat(m.length)));
  if (!root) return bytes;
  const sizes: Partial<Record<'width' | 'height', number>> = {};
  let absolute = false;
  let tag = text.slice(root.index, root.index + root[0].length);
  for (const name of ['width', 'height'] as const) {
    tag = tag.replace(sizeAttr(name), (all: string, before: string, quote: string, value: string) => {
      const css = cssPixels(value);
      if (!css) return all;
      sizes[name] = css.px;
      absolute ||= css.absolute;
      return css.absolute ? `${before}${quote}${+css.px.toFixed(3)}${quote}` : all;
    });
  }
  if (!absolute) return bytes;
  if (!/\sviewBox\s*=/.test(tag) && sizes.width! > 0 && sizes.height! > 0) tag = tag.replace(/^<svg\b/, `<svg viewBox="0 0 ${+sizes.width!.toFixed(3)} ${+sizes.height!.toFixed(3)}"`);
  return Buffer.from(text.slice(0, root.index) + tag + text.slice(root.index + root[0].length), 'latin1');
}

/** sharp's range of densities (dpi). */
const MIN_DENSITY = 1;
const MAX_DENSITY = 100_000;
const clampDensity = (d: number) => Math.min(Math.max(d, MIN_DENSITY), MAX_DENSITY);

export interface SvgSize {
  width: number;
  height: number;
}

/**
 * The density at which sharp renders an SVG at `scale` times its size at 72 dpi (`at72`), and the
 * size it renders at there, read from the header. librsvg scales a size declared in px by
 * density / 72 but one in pt, mm or in by (density / 72)², so 72 × scale would render a 1pt drawing
 * meant for 192 px at 36,864 px a side: where the header at 72 × scale says the size grew as the
 * square, the density is taken as the square root.
 */
export async function svgDensity(bytes: Buffer, scale: number, at72: SvgSize): Promise<SvgSize & { density: number }> {
  const sizeAt = async (density: number) => {
    const { width = 0, height = 0 } = await sharp(bytes, { density, limitInputPixels: false }).metadata();
    return { density, width, height };
  };
  const linear = await sizeAt(clampDensity(72 * scale));
  const [side72, side] = [Math.max(at72.width, at72.height), Math.max(linear.width, linear.height)];
  if (!(side72 > 0 && side > 0) || Math.abs(Math.log(linear.density / 72)) < Math.log(1.05)) return linear;
  const power = Math.round(Math.log(side / side72) / Math.log(linear.density / 72));
  return power === 2 ? sizeAt(clampDensity(72 * Math.sqrt(scale))) : linear;
}
