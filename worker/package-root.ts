/**
 * The package's own folder (where its package.json is), found from the sources (worker/) and from
 * the compiled dist/worker/ alike: the shipped bundles and the example app are found from it.
 */
import * as fs from 'fs';
import * as path from 'path';

function packageRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  throw new Error(`no package.json above ${from}`);
}

export const PACKAGE_ROOT = packageRoot(__dirname);

/** Run from the TypeScript sources (through tsx or ts-jest): a checkout of this project, not the published package's dist/. */
export const FROM_SOURCES = __filename.endsWith('.ts');
