/**
 * Seeds an app's models folder with the bundles the package ships, so that bundles live in the app
 * (fine-tuned versions survive reinstalling the package) and the default bundle is there from the
 * first start. A shipped version the folder already holds is left alone; a newer shipped version
 * of a bundle arrives beside the old one (as NAME-VERSION), which it then outranks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { listBundles, SHIPPED_MODELS } from './load';

/** Copies the shipped bundles `dir` lacks into it; returns the folders it added. */
export function seedModels(dir: string, shipped = SHIPPED_MODELS): string[] {
  const target = path.resolve(dir);
  if (target === path.resolve(shipped)) return [];
  fs.mkdirSync(target, { recursive: true });
  const added: string[] = [];
  for (const b of listBundles(shipped)) {
    // Listed afresh for each: another process (Strapi and its worker start together) may have just seeded it.
    if (b.problem || listBundles(target).some((t) => t.name === b.name && t.version === b.version)) continue;
    const folder = [path.basename(b.dir), `${b.name}-${b.version}`].map((f) => path.join(target, f)).find((f) => !fs.existsSync(f));
    if (!folder) continue;
    // Copied under a dot name, then renamed: a process listing the folder meanwhile (the Strapi
    // server and an external worker start together) never sees half a bundle.
    const partial = path.join(target, `.seeding-${process.pid}-${path.basename(folder)}`);
    fs.cpSync(b.dir, partial, { recursive: true });
    try {
      fs.renameSync(partial, folder);
      added.push(folder);
    } catch (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      // The other process seeded the same bundle first.
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return added;
}
