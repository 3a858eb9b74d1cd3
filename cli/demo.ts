/**
 * `altbridge demo`: draws a few new ShapesWorld scenes, renders them, and captions them with the
 * default bundle, next to a true description of each, so a fresh install shows the whole
 * pipeline (CLIP, bridging, decoder) working without any download.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultBundleRef, loadBundle } from '../worker/bundle/load';
import { Captioner, isFailure } from '../worker/caption';
import { captionsFor } from '../research/shapes/captions';
import { captionErrors } from '../research/shapes/errors';
import { renderScene } from '../research/shapes/render';
import { sampleScene } from '../research/shapes/scene';
import { Rng } from '../worker/train/rng';
import { defineCommand } from './command';

export const demo = defineCommand({
  name: 'demo',
  summary: 'draw a few new ShapesWorld scenes and caption them with the default bundle',
  about: 'Each caption is printed beside a true description of its scene and the attributes it got wrong; nothing is downloaded.',
  options: {
    count: { type: 'whole', min: 1, default: 6, help: 'scenes to draw' },
    seed: { type: 'whole', min: 0, default: 2026, help: 'seed of the scenes' },
    out: { type: 'text', arg: 'DIR', defaultText: 'a new temporary folder', help: 'folder for the scene images' },
    bundle: { type: 'text', arg: 'NAME|PATH', default: defaultBundleRef(), help: 'the model bundle; $ALTBRIDGE_BUNDLE sets the default' },
  },
  example: 'altbridge demo --count 3',
  async run({ count, seed, out: given, bundle: ref }) {
    const out = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-demo-'));
    const bundle = loadBundle(ref);
    fs.mkdirSync(out, { recursive: true });
    const scenes = Array.from({ length: count }, (_, i) => sampleScene(new Rng(seed, 1, i)));
    const files = await Promise.all(
      scenes.map(async (scene, i) => {
        const file = path.join(out, `scene-${i}.png`);
        fs.writeFileSync(file, await renderScene(scene, bundle.manifest.clip.imageSize, new Rng(seed, 2, i)));
        return file;
      }),
    );
    process.stdout.write(`Captioning ${count} new scenes drawn in ${out} with ${bundle.manifest.name}@${bundle.manifest.version}...\n\n`);
    const captioner = await Captioner.open(bundle);
    let wrong = 0;
    try {
      const results = await captioner.caption(files);
      results.forEach((r, i) => {
        if (isFailure(r)) throw new Error(`${r.file}: ${r.error}`);
        const errors = Object.entries(captionErrors(r.caption, scenes[i]))
          .filter(([, e]) => e.wrong > 0)
          .map(([a]) => a);
        if (errors.length) wrong++;
        process.stdout.write(`${path.basename(r.file)}  ${r.caption}  (confidence ${r.confidence.toFixed(2)}; M = ${r.m}, ${r.timings.decoder.toFixed(0)} ms decoding)\n`);
        process.stdout.write(`             true: ${captionsFor(scenes[i], new Rng(seed, 3, i))[0]}${errors.length ? `   [wrong ${errors.join(', ')}]` : ''}\n`);
      });
    } finally {
      await captioner.close();
    }
    process.stdout.write(`\n${count - wrong} of ${count} captions make no false claim about colour, shape, count or relation.\n`);
    process.stdout.write(`Caption your own images: npx altbridge caption IMAGE|DIR ...\n`);
    return 0;
  },
});
