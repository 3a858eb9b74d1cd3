/** Images for domain tests: a new ShapesWorld scene (like the default bundle's training images) and one that clearly is not. */
import sharp from 'sharp';
import { renderScene } from '../../research/shapes/render';
import { sampleScene } from '../../research/shapes/scene';
import { Rng } from '../../worker/train/rng';

/** A ShapesWorld scene drawn as the data set draws them, from a seed the data set does not use. */
export const shapesScene = (i: number): Promise<Buffer> => renderScene(sampleScene(new Rng(2026, 1, i)), 64, new Rng(2026, 2, i));

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
