/** The density at which an SVG renders at a chosen size, whatever units it declares its size in. */
import sharp from 'sharp';

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
