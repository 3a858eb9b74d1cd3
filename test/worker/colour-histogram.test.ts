/** Colour histograms from the pixels the CLIP sees: real images through the real preprocessing. */
import sharp from 'sharp';
import { CLIP_MEAN, CLIP_STD, preprocessBatch } from '../../worker/clip/preprocess';
import { COLOUR_BINS, COLOUR_LEVELS, colourHistograms } from '../../worker/colour-histogram';

const cfg = { size: 32, mean: CLIP_MEAN, std: CLIP_STD };
const bin = (r: number, g: number, b: number) => (r * COLOUR_LEVELS + g) * COLOUR_LEVELS + b;
const png = (svg: string) =>
  sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">${svg}</svg>`))
    .png()
    .toBuffer();

test('each image gets a histogram of its own colours that sums to 1', async () => {
  const images = [await png('<rect width="64" height="64" fill="#ff0000"/>'), await png('<rect width="64" height="64" fill="#ffffff"/><rect width="32" height="64" fill="#0000ff"/>')];
  const pre = await preprocessBatch(images, cfg);
  const h = colourHistograms(pre.pixels, 2, cfg);
  expect(h).toHaveLength(2 * COLOUR_BINS);
  const red = h.subarray(0, COLOUR_BINS);
  const halves = h.subarray(COLOUR_BINS);
  expect(red[bin(7, 0, 0)]).toBeCloseTo(1, 5);
  // Blue on the left, white on the right; the resize may blend the one column where they meet.
  expect(halves[bin(0, 0, 7)]).toBeGreaterThan(0.45);
  expect(halves[bin(7, 7, 7)]).toBeGreaterThan(0.45);
  for (const one of [red, halves]) expect(one.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
});

test('too few pixels for the images named is refused', () => {
  expect(() => colourHistograms(new Float32Array(3 * 32 * 32), 2, cfg)).toThrow('colourHistograms: 2 images of 32x32 need 6144 values, got 3072');
});
