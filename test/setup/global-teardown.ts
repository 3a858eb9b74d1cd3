/** Removes what test/setup/global-setup.ts built (not a bundle the run was given). */
import * as fs from 'fs';
import { OWNED, TINY_SHAPES_ENV } from './tiny-shapes';

export default function globalTeardown(): void {
  const root = (globalThis as Record<string, unknown>)[OWNED];
  if (typeof root !== 'string') return;
  fs.rmSync(root, { recursive: true, force: true });
  delete process.env[TINY_SHAPES_ENV];
}
