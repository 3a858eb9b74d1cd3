/** Images for domain tests: a new ShapesWorld scene (like the default bundle's training images) and one that clearly is not. */
import sharp from 'sharp';
import { renderScene } from '../../research/shapes/render';
import { sampleScene } from '../../research/shapes/scene';
import { Rng } from '../../worker/train/rng';

/** A ShapesWorld scene drawn as the data set draws them, from a seed the data set does not use. */
export const shapesScene = (i: number): Promise<Buffer> => renderScene(sampleScene(new Rng(2026, 1, i)), 64, new Rng(2026, 2, i));

/**
 * A smiling face emoji, drawn here as SVG (no third-party artwork). The default bundle's CLIP, which sees shapes,
 * takes it for a scene of shapes (a yellow disc with dots); its colours are what tell it apart.
 */
export const emoji = (): Promise<Buffer> =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
        <radialGradient id="g" cx="0.4" cy="0.35" r="0.7"><stop offset="0" stop-color="#fff59d"/><stop offset="1" stop-color="#f9a825"/></radialGradient>
        <circle cx="64" cy="64" r="60" fill="url(#g)" stroke="#e65100" stroke-width="3"/>
        <ellipse cx="44" cy="50" rx="8" ry="12" fill="#3e2723"/><ellipse cx="84" cy="50" rx="8" ry="12" fill="#3e2723"/>
        <path d="M32 78 Q64 112 96 78" fill="none" stroke="#3e2723" stroke-width="7" stroke-linecap="round"/>
      </svg>`,
    ),
  )
    .png()
    .toBuffer();

/**
 * A drawn landscape: a sky fading to haze over grass and soil, no object on it. Photo-like, where the default
 * bundle's CLIP, which sees shapes, can mistake a drawn emoji face for a scene of shapes (models/README.md).
 */
export const landscape = (): Promise<Buffer> =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128">
        <linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0" stop-color="#4a90d9"/><stop offset="0.6" stop-color="#cfe8ff"/><stop offset="0.6" stop-color="#3d7a2a"/><stop offset="1" stop-color="#6b4f2a"/>
        </linearGradient>
        <rect width="128" height="128" fill="url(#g)"/>
      </svg>`,
    ),
  )
    .png()
    .toBuffer();
