/**
 * `altbridge images-mean --bundle B <dir|image>...`: computes ē_img and the domain data for a bundle
 * from the user's own images. `--domain-only` records the domain data and keeps ē_img (a bundle
 * whose captioner already trained against it); `--from-recipe` takes, instead of folders, the
 * training images of a ShapesWorld bundle, regenerated from its recorded recipe in `--work`
 * (reused when already there). Unreadable files are reported and skipped; the exit status is 1 only
 * when no image could be read.
 */
import * as path from 'path';
import { Manifest } from '../worker/bundle/manifest';
import { loadClip, resolveBundle } from '../worker/bundle/load';
import { imagesMean } from '../worker/images-mean';
import { ShapesBuild, SHAPES_DOMAIN, shapesTrainingImages } from '../research/shapes/build';
import { expand } from './args';
import { defineCommand } from './command';

export const imagesMeanCommand = defineCommand({
  name: 'images-mean',
  summary: "a bundle's ē_img (mean image embedding, needed to bridge) and domain data, from your images",
  about:
    "The domain data says which images look like the bundle's own (in/out of domain on every caption). Give images or folders, or --from-recipe for a ShapesWorld bundle. Unreadable files are skipped; the exit status is 1 only when none could be read.",
  options: {
    bundle: { type: 'text', arg: 'NAME|PATH', required: true, help: 'the bundle to write into' },
    'domain-only': { type: 'flag', help: 'record the domain data and keep ē_img (for a bundle whose captioner trained against it)' },
    'from-recipe': { type: 'flag', help: "use a ShapesWorld bundle's training images, regenerated from its recorded recipe" },
    work: { type: 'text', arg: 'DIR', defaultText: 'runs/domain-NAME', help: 'where --from-recipe regenerates the images (reused when there)' },
    description: { type: 'text', arg: 'TEXT', defaultText: 'how many images and where from', help: "the images' domain in words, for the bundle's manifest" },
  },
  positionals: { arg: '[IMAGE|DIR ...]', min: 0 },
  example: 'altbridge images-mean --bundle clip-vit-b32 photos/',
  async run(values, positionals, args) {
    const fromRecipe = values['from-recipe'];
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
    const spread = (q: typeof d.quantiles) => `p50 ${q.p50.toFixed(2)}, p95 ${q.p95.toFixed(2)}, p99 ${q.p99.toFixed(2)} (the in/out threshold), max ${q.max.toFixed(2)}`;
    process.stdout.write(
      `domain of ${d.count} image(s) stored in ${path.join(dir, d.file)}: Ledoit-Wolf shrinkage ${d.shrinkage.intensity.toFixed(4)}, CLIP distance ${spread(d.quantiles)}` +
        (d.colour ? `; colour-histogram distance ${spread(d.colour.quantiles)}` : '') +
        '\n',
    );
    return 0;
  },
});
