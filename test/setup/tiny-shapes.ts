/**
 * The tiny ShapesWorld bundle the train tests caption with (pipeline, `eval`, `demo`): built once
 * per jest run by the train project's global setup (test/setup/global-setup.ts), read-only for the
 * tests, which find it through the file that ALTBRIDGE_TEST_TINY_SHAPES names.
 */
import * as fs from 'fs';
import type { ShapesBuild } from '../../research/shapes/build';

/** Names the JSON file describing the built bundle (a TinyShapes). */
export const TINY_SHAPES_ENV = 'ALTBRIDGE_TEST_TINY_SHAPES';

/** The global name under which the setup leaves the folder it made, for the teardown (jest passes such globals on to it alone). */
export const OWNED = '__altbridgeTinyShapesRoot';

/** Seconds of training, not quality: 120 pairs, 15 steps per stage. */
export const TINY_RECIPE: ShapesBuild = {
  seed: 0,
  data: { seed: 1, pairs: 120, texts: 40, heldOut: 12, size: 64 },
  val: 12,
  clipSteps: 15,
  denoiserSteps: 15,
  decoderSteps: 15,
  draws: 1,
};

export interface TinyShapes {
  /** buildShapes' work folder: data/, clip/, runs/. */
  work: string;
  /** The captioning bundle (work/bundle). */
  bundle: string;
  dataDir: string;
  recipe: ShapesBuild;
  name: string;
  version: string;
  /** The command recorded in the bundle's provenance. */
  command: string;
  /** The stages buildShapes announced while building it, in order. */
  stages: string[];
}

export function tinyShapes(): TinyShapes {
  const file = process.env[TINY_SHAPES_ENV];
  if (!file || !fs.existsSync(file)) {
    throw new Error(
      `no tiny ShapesWorld bundle (${TINY_SHAPES_ENV}=${file ?? ''}): the jest project "train" builds it in its global setup; run this file through it (npx jest --selectProjects train ...)`,
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TinyShapes;
}
