/**
 * Draws a ShapesWorld scene: an SVG (shapes as paths/polygons, textures as patterns) rasterised
 * by sharp, then mild seeded pixel noise so that images are not perfectly flat, then PNG.
 */
import sharp from 'sharp';
import { Rng } from '../../worker/train/rng';
import { BACKGROUNDS, COLOURS, RADIUS, Scene, SceneObject } from './scene';

type Rgb = readonly [number, number, number] | readonly number[];

const rgb = (c: Rgb, k = 1) => `rgb(${c.map((v) => Math.min(255, Math.round(v * k))).join(',')})`;
const f2 = (v: number) => v.toFixed(2);

/** A darker tint for textures on light backgrounds, a lighter one on black, so they show. */
function tint(c: Rgb): string {
  return rgb(c, c[0] < 80 ? 2.6 : 0.8);
}

function points(cx: number, cy: number, pts: [number, number][], rot: number): string {
  const cs = Math.cos(rot);
  const sn = Math.sin(rot);
  return pts.map(([x, y]) => `${f2(cx + x * cs - y * sn)},${f2(cy + x * sn + y * cs)}`).join(' ');
}

function star(r: number): [number, number][] {
  return Array.from({ length: 10 }, (_, i) => {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const d = i % 2 ? 0.45 * r : r;
    return [d * Math.cos(a), d * Math.sin(a)] as [number, number];
  });
}

function shapeSvg(o: SceneObject, S: number, rot: number): string {
  const cx = o.x * S;
  const cy = o.y * S;
  const r = RADIUS[o.size] * S;
  const fill = `fill="${rgb(COLOURS[o.colour])}"`;
  switch (o.shape) {
    case 'circle':
      return `<circle cx="${f2(cx)}" cy="${f2(cy)}" r="${f2(r)}" ${fill}/>`;
    case 'square': {
      const h = 0.85 * r;
      return `<polygon points="${points(
        cx,
        cy,
        [
          [-h, -h],
          [h, -h],
          [h, h],
          [-h, h],
        ],
        rot,
      )}" ${fill}/>`;
    }
    case 'triangle':
      return `<polygon points="${points(
        cx,
        cy,
        [
          [0, -r],
          [0.87 * r, 0.5 * r],
          [-0.87 * r, 0.5 * r],
        ],
        rot,
      )}" ${fill}/>`;
    case 'star':
      return `<polygon points="${points(cx, cy, star(r), rot)}" ${fill}/>`;
    case 'cross': {
      const w = 0.33 * r;
      const arm: [number, number][] = [
        [-w, -r],
        [w, -r],
        [w, -w],
        [r, -w],
        [r, w],
        [w, w],
        [w, r],
        [-w, r],
        [-w, w],
        [-r, w],
        [-r, -w],
        [-w, -w],
      ];
      return `<polygon points="${points(cx, cy, arm, rot)}" ${fill}/>`;
    }
    case 'heart': {
      // Two cubic lobes meeting at the bottom point; kept upright so it reads as a heart.
      const p = (x: number, y: number) => `${f2(cx + x * r)} ${f2(cy + y * r)}`;
      return `<path d="M ${p(0, 0.9)} C ${p(-1.3, 0)} ${p(-0.6, -1.2)} ${p(0, -0.45)} C ${p(0.6, -1.2)} ${p(1.3, 0)} ${p(0, 0.9)} Z" ${fill}/>`;
    }
  }
}

function backgroundSvg(scene: Scene, S: number, rng: Rng): string {
  const base = BACKGROUNDS[scene.background.colour];
  const angle = rng.int(180);
  const step = f2(S / 8);
  switch (scene.background.texture) {
    case 'plain':
      return `<rect width="${S}" height="${S}" fill="${rgb(base)}"/>`;
    case 'stripes':
      return (
        `<defs><pattern id="t" width="${step}" height="${step}" patternUnits="userSpaceOnUse" patternTransform="rotate(${angle})">` +
        `<rect width="${step}" height="${step}" fill="${rgb(base)}"/><rect width="${f2(S / 16)}" height="${step}" fill="${tint(base)}"/></pattern></defs>` +
        `<rect width="${S}" height="${S}" fill="url(#t)"/>`
      );
    case 'dots':
      return (
        `<defs><pattern id="t" width="${step}" height="${step}" patternUnits="userSpaceOnUse" patternTransform="rotate(${angle})">` +
        `<rect width="${step}" height="${step}" fill="${rgb(base)}"/><circle cx="${f2(S / 16)}" cy="${f2(S / 16)}" r="${f2(S / 40)}" fill="${tint(base)}"/></pattern></defs>` +
        `<rect width="${S}" height="${S}" fill="url(#t)"/>`
      );
    case 'gradient':
      return (
        `<defs><linearGradient id="t" gradientTransform="rotate(${angle} 0.5 0.5)">` +
        `<stop offset="0" stop-color="${rgb(base)}"/><stop offset="1" stop-color="${tint(base)}"/></linearGradient></defs>` +
        `<rect width="${S}" height="${S}" fill="url(#t)"/>`
      );
  }
}

function sceneSvg(scene: Scene, size: number, rng: Rng): string {
  const bg = backgroundSvg(scene, size, rng);
  const shapes = scene.objects.map((o) => shapeSvg(o, size, (rng.uniform() - 0.5) * 0.5)).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">${bg}${shapes}</svg>`;
}

/** PNG of the scene, `size` px square; `rng` sets texture angle, shape tilt and the noise. */
export async function renderScene(scene: Scene, size = 64, rng: Rng): Promise<Buffer> {
  const raw = await sharp(Buffer.from(sceneSvg(scene, size, rng)))
    .removeAlpha()
    .raw()
    .toBuffer();
  for (let i = 0; i < raw.length; i++) raw[i] = Math.max(0, Math.min(255, raw[i] + Math.round(3 * rng.normal())));
  return sharp(raw, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}
