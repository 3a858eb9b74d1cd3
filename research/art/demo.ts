/**
 * The images `altbridge demo` captions with an art bundle: held-out OpenMoji emoji and held-out clip
 * art, shipped in models/art-demo with their true names (a folder without a manifest: not a
 * bundle). They were picked by rule, not by result (`npx tsx research/art/demo.ts`: every n-th of
 * each held-out split in its order), before the bundle was measured on them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_BUNDLE, SHIPPED_MODELS } from '../../worker/bundle/load';
import { cacheDir } from '../../worker/cache-dir';
import { PACKAGE_ROOT } from '../../worker/package-root';
import { readArtPart } from './dataset';
import { ART_PATHS } from './sources';

export const DEMO_DIR = path.join(SHIPPED_MODELS, 'art-demo');

export interface DemoImage {
  file: string;
  name: string;
  kind: 'emoji' | 'clipart';
  credit: string;
}

const CREDIT = { emoji: 'OpenMoji (openmoji.org), CC BY-SA 4.0', clipart: 'Open Clip Art Library, public domain' };

/** The shipped demo images, paths made absolute. */
export function demoImages(dir = DEMO_DIR): DemoImage[] {
  const list = JSON.parse(fs.readFileSync(path.join(dir, 'names.json'), 'utf8')) as DemoImage[];
  return list.map((d) => ({ ...d, file: path.join(dir, d.file) }));
}

/** Every n-th held-out item, `count` in all. */
const spaced = <T>(items: T[], count: number): T[] => items.filter((_, i) => i % Math.max(1, Math.floor(items.length / count)) === 0).slice(0, count);

/** Copies the picked source files (the originals, not our renderings) and names.json into `out`, emptied first. */
export function pickDemoImages(src: string, dataDir: string, out: string, emoji = 12, clipart = 6): DemoImage[] {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const picked: DemoImage[] = [
    ...spaced(readArtPart(dataDir, 'heldout'), emoji).map((it) => ({ from: path.join(src, ART_PATHS.openmoji, `${it.key}.svg`), name: it.name, kind: 'emoji' as const })),
    ...spaced(readArtPart(dataDir, 'clipartHeldout'), clipart).map((it) => ({ from: path.join(src, ART_PATHS.clipart, it.key), name: it.name, kind: 'clipart' as const })),
  ].map((p) => {
    const file = `${p.kind}-${path.basename(p.from)}`;
    fs.copyFileSync(p.from, path.join(out, file));
    return { file, name: p.name, kind: p.kind, credit: CREDIT[p.kind] };
  });
  fs.writeFileSync(path.join(out, 'names.json'), JSON.stringify(picked, null, 1) + '\n');
  return picked;
}

if (require.main === module) {
  const root = PACKAGE_ROOT;
  const picked = pickDemoImages(cacheDir('art', 'src'), path.join(root, 'runs', DEFAULT_BUNDLE, 'data'), DEMO_DIR);
  process.stdout.write(`wrote ${picked.length} demo images to ${DEMO_DIR}\n`);
}
