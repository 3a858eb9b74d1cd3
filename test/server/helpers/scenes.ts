/**
 * Test images for the default bundle (shapes-mini, a demonstration bundle of ShapesWorld scenes):
 * in-domain scenes rendered as the bundle was trained, and an image it calls out of its domain.
 */
import sharp from 'sharp';
import { renderScene } from '../../../research/shapes/render';
import { sampleScene } from '../../../research/shapes/scene';
import { Rng } from '../../../worker/train/rng';

/** A ShapesWorld scene, the same for the same seed (each seed a different image). */
export async function shapesScene(seed: number): Promise<Buffer> {
  const rng = new Rng(seed);
  return renderScene(sampleScene(rng), 64, rng);
}

/** An emoji-like smiling face: not a ShapesWorld scene (the default bundle's verdict is 'out'). */
export const emojiFace = (): Promise<Buffer> =>
  sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="#ffffff"/>' +
        '<circle cx="128" cy="128" r="110" fill="#ffcc33" stroke="#cc8800" stroke-width="6"/><circle cx="88" cy="100" r="14" fill="#442200"/>' +
        '<circle cx="168" cy="100" r="14" fill="#442200"/><path d="M70 160 Q128 220 186 160" stroke="#442200" stroke-width="10" fill="none"/></svg>',
    ),
  )
    .png()
    .toBuffer();

/**
 * Settings under which the default bundle writes alt text: its demonstration captions allowed and
 * the quality bar off (it has no calibration). Tests of the write-through rule need captions written.
 */
export const PUBLISH_DEMONSTRATION = { allowDemonstration: true, minQuality: 0 };
