/**
 * ShapesWorld scenes: a few coloured shapes on a textured background, sampled from a
 * seeded stream, with the spatial relations and counts the captions are allowed to state.
 */
import { Rng } from '../../worker/train/rng';

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'heart', 'cross'] as const;
export type Shape = (typeof SHAPES)[number];
export const SIZES = ['small', 'medium', 'large'] as const;
export type Size = (typeof SIZES)[number];
export const TEXTURES = ['plain', 'stripes', 'dots', 'gradient'] as const;
export type Texture = (typeof TEXTURES)[number];

/** Object colours; none is also a background colour, so a colour word names one or the other. */
export const COLOURS = {
  red: [220, 40, 40],
  green: [40, 170, 60],
  blue: [40, 80, 220],
  yellow: [240, 210, 40],
  orange: [245, 140, 30],
  purple: [140, 60, 180],
  pink: [245, 130, 190],
  brown: [130, 85, 45],
} as const;
export type Colour = keyof typeof COLOURS;

export const BACKGROUNDS = {
  white: [255, 255, 255],
  grey: [150, 150, 150],
  black: [25, 25, 25],
  beige: [225, 210, 170],
} as const;
export type BackgroundColour = keyof typeof BACKGROUNDS;

/** Half-extent of each size, as a fraction of the image side. */
export const RADIUS: Record<Size, number> = { small: 0.1, medium: 0.15, large: 0.21 };

export interface SceneObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  /** Centre, 0..1 from the left and from the top. */
  x: number;
  y: number;
}

export interface Scene {
  background: { colour: BackgroundColour; texture: Texture };
  objects: SceneObject[];
}

export type Relation = 'left of' | 'right of' | 'above' | 'below';

export const COLOUR_NAMES = Object.keys(COLOURS) as Colour[];
const BACKGROUND_NAMES = Object.keys(BACKGROUNDS) as BackgroundColour[];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** Most objects a scene holds. */
export const MAX_OBJECTS = 4;

/** 1-MAX_OBJECTS objects; centres at least 0.8 x the summed radii apart, so nothing is mostly hidden. */
export function sampleScene(rng: Rng): Scene {
  const want = 1 + rng.int(MAX_OBJECTS);
  const objects: SceneObject[] = [];
  for (let tries = 0; objects.length < want && tries < 200; tries++) {
    const size = pick(rng, SIZES);
    const r = RADIUS[size];
    const o: SceneObject = {
      shape: pick(rng, SHAPES),
      colour: pick(rng, COLOUR_NAMES),
      size,
      x: round3(r + rng.uniform() * (1 - 2 * r)),
      y: round3(r + rng.uniform() * (1 - 2 * r)),
    };
    if (objects.every((p) => Math.hypot(p.x - o.x, p.y - o.y) >= 0.8 * (r + RADIUS[p.size]))) objects.push(o);
  }
  return { background: { colour: pick(rng, BACKGROUND_NAMES), texture: pick(rng, TEXTURES) }, objects };
}

/** Rounded so the JSON is short and a scene read back compares equal. */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Where `a` is relative to `b`, or null when it is not clear-cut: one axis must dominate the other
 * by 1.5x and exceed 0.15, so a caption never states a relation a viewer could dispute.
 */
export function relation(a: SceneObject, b: SceneObject): Relation | null {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  if (Math.abs(dx) > 0.15 && Math.abs(dx) > 1.5 * Math.abs(dy)) return dx > 0 ? 'left of' : 'right of';
  if (Math.abs(dy) > 0.15 && Math.abs(dy) > 1.5 * Math.abs(dx)) return dy > 0 ? 'above' : 'below';
  return null;
}

/** What a description may constrain; absent fields match anything. */
export interface Filter {
  shape?: Shape;
  colour?: Colour;
  size?: Size;
}

export function matching(scene: Scene, f: Filter): SceneObject[] {
  return scene.objects.filter((o) => (!f.shape || o.shape === f.shape) && (!f.colour || o.colour === f.colour) && (!f.size || o.size === f.size));
}

export function count(scene: Scene, f: Filter): number {
  return matching(scene, f).length;
}

/**
 * Identity of a scene's content for keeping parts disjoint: background plus the multiset of
 * (colour, size, shape); positions are left out so a near-copy cannot cross parts.
 */
export function sceneKey(scene: Scene): string {
  const objs = scene.objects.map((o) => `${o.colour} ${o.size} ${o.shape}`).sort();
  return `${scene.background.colour} ${scene.background.texture}|${objs.join(',')}`;
}
