/**
 * `altbridge images-mean --bundle B <dir|image>...`: computes ē_img for a bundle from the user's
 * own images. Unreadable files are reported and skipped; the exit status is 1 only when no image
 * could be read.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { resolveBundle } from '../worker/bundle/load';
import { imagesMean } from '../worker/images-mean';
import { expand } from './args';

export async function imagesMeanCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { bundle: { type: 'string' } } });
  if (!values.bundle) throw new Error('images-mean: --bundle NAME|PATH is required');
  if (positionals.length === 0) throw new Error('images-mean: name at least one image or folder');
  const files = expand(positionals);
  const r = await imagesMean(values.bundle, files, {
    command: `npx altbridge images-mean ${args.join(' ')}`,
    onProgress: (done, total) => process.stderr.write(`images-mean: ${done}/${total} image(s)\n`),
  });
  for (const f of r.failures) process.stderr.write(`${f.file}: skipped: ${f.error}\n`);
  const m = r.manifest;
  process.stdout.write(`ē_img from ${r.images} of ${files.length} image(s) stored in ${path.join(resolveBundle(values.bundle), m.means ?? '')} (${m.name}@${m.version})\n`);
  return 0;
}
