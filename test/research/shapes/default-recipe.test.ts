/**
 * The default ShapesWorld recipe is the lever LEVERS.md measured (text-head-100), kept apart in
 * lever-list.ts so that changing the default does not silently change a measured lever; and a report
 * says when its "before" column scored other held-out images.
 */
import { LEVERS } from '../../../research/shapes/lever-list';
import { SHAPES_CNN_WIDE, SHAPES_MINI, SHAPES_STEM } from '../../../research/shapes/build';
import { sameHeldOut } from '../../../research/shapes/generate';

test('the default recipe is the measured text-head-100 lever, key for key', () => {
  const lever = LEVERS.find((l) => l.name === 'text-head-100');
  expect(JSON.stringify(lever?.recipe)).toBe(JSON.stringify(SHAPES_MINI));
  expect(JSON.stringify(LEVERS.find((l) => l.name === 'cnn-wide')?.recipe)).toBe(JSON.stringify(SHAPES_CNN_WIDE));
  expect(LEVERS.find((l) => l.name === 'base')?.recipe).toBe(SHAPES_MINI);
  expect(JSON.stringify(LEVERS.find((l) => l.name === 'stem-4')?.recipe)).toBe(JSON.stringify(SHAPES_STEM));
});

test('held-out images change with the draw, not with the other parts under iid', () => {
  const iid = SHAPES_MINI.data;
  expect(sameHeldOut(iid, { ...iid, pairs: 9000, texts: 10, iid: { val: 10 } })).toBe(true);
  expect(sameHeldOut(iid, { ...iid, seed: 1 })).toBe(false);
  expect(sameHeldOut(iid, { ...iid, heldOut: 10 })).toBe(false);
  expect(sameHeldOut(iid, SHAPES_STEM.data)).toBe(false);
  // Without iid the held-out scenes come after the other parts' draws.
  expect(sameHeldOut(SHAPES_STEM.data, { ...SHAPES_STEM.data, pairs: 20000 })).toBe(false);
  expect(sameHeldOut(SHAPES_STEM.data, { ...SHAPES_STEM.data })).toBe(true);
});
