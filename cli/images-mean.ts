/**
 * `altbridge images-mean --bundle B <dir|image>...`: computes ē_img and the domain data for a bundle
 * from the user's own images. `--domain-only` records the domain data and keeps ē_img (a bundle
 * whose captioner already trained against it); `--from-recipe` takes, instead of folders, the
 * training images of a ShapesWorld bundle, regenerated from its recorded recipe in `--work`
 * (reused when already there). Unreadable files are reported and skipped; the exit status is 1 only
 * when no image could be read.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { Manifest } from '../worker/bundle/manifest';
import { loadClip, resolveBundle } from '../worker/bundle/load';
import { imagesMean } from '../worker/images-mean';
import { ShapesBuild, SHAPES_DOMAIN, shapesTrainingImages } from '../research/shapes/build';
import { expand } from './args';

export async function imagesMeanCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { bundle: { type: 'string' }, 'domain-only': { type: 'boolean' }, 'from-recipe': { type: 'boolean' }, work: { type: 'string' }, description: { type: 'string' } },
  });
  if (!values.bundle) throw new Error('images-mean: --bundle NAME|PATH is required');
  const fromRecipe = values['from-recipe'] === true;
  if (fromRecipe === positionals.length > 0) throw new Error('images-mean: name at least one image or folder, or --from-recipe (not both)');
  let files: string[];
  let shapes = false;
  if (fromRecipe) {
    const m = loadClip(values.bundle).manifest as Partial<Manifest>;
    const recipe = m.provenance?.recipe?.shapes as ShapesBuild | undefined;
    if (!recipe) throw new Error(`images-mean: bundle ${values.bundle} records no ShapesWorld recipe (provenance.recipe.shapes); name its images instead`);
    files = await shapesTrainingImages(path.resolve(values.work ?? path.join('runs', `domain-${m.name}`)), recipe);
    shapes = true;
  } else files = expand(positionals);
  const r = await imagesMean(values.bundle, files, {
    command: `npx altbridge images-mean ${args.join(' ')}`,
    domainOnly: values['domain-only'],
    ...(shapes ? SHAPES_DOMAIN : {}),
    ...(values.description ? { description: values.description } : {}),
    onProgress: (done, total) => process.stderr.write(`images-mean: ${done}/${total} image(s)\n`),
  });
  for (const f of r.failures) process.stderr.write(`${f.file}: skipped: ${f.error}\n`);
  const m = r.manifest;
  const dir = resolveBundle(values.bundle);
  const d = m.domain!;
  if (!values['domain-only']) process.stdout.write(`ē_img from ${r.images} of ${files.length} image(s) stored in ${path.join(dir, m.means ?? '')} (${m.name}@${m.version})\n`);
  process.stdout.write(
    `domain of ${d.count} image(s) stored in ${path.join(dir, d.file)}: Ledoit-Wolf shrinkage ${d.shrinkage.intensity.toFixed(4)}, ` +
      `distance p50 ${d.quantiles.p50.toFixed(2)}, p95 ${d.quantiles.p95.toFixed(2)}, p99 ${d.quantiles.p99.toFixed(2)} (the in/out threshold), max ${d.quantiles.max.toFixed(2)}\n`,
  );
  return 0;
}
