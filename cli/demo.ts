/**
 * `altbridge demo`: captions images no network was trained on with the default bundle, next to the
 * truth, so a fresh install shows the whole pipeline (CLIP, bridging, decoder) without a download.
 * An art bundle captions the shipped held-out OpenMoji emoji and clip art (models/art-demo)
 * and says which captions it would publish; a ShapesWorld bundle draws new scenes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Bundle, defaultBundleRef, loadBundle } from '../worker/bundle/load';
import { Captioner, isFailure } from '../worker/caption';
import { contains, isExact } from '../research/art/score';
import { demoImages } from '../research/art/demo';
import { captionsFor } from '../research/shapes/captions';
import { captionErrors } from '../research/shapes/errors';
import { STREAM } from '../research/shapes/generate';
import { renderScene } from '../research/shapes/render';
import { sampleScene } from '../research/shapes/scene';
import { Rng } from '../worker/train/rng';
import { DEFAULT_SETTINGS } from '../server/src/contracts';
import { bundleDomain, reviewReason } from '../server/src/policy';
import { defineCommand } from './command';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The shipped held-out art, captioned, with what the plugin's publishing policy would publish. */
async function artDemo(bundle: Bundle, count: number): Promise<void> {
  const images = demoImages().slice(0, count);
  // The plugin's publishing policy at its default settings: in-domain, not a demonstration, quality at T.
  const domain = bundleDomain(`${bundle.manifest.name}@${bundle.manifest.version}`, bundle.manifest);
  say(`Captioning ${images.length} images in styles no network here was trained on (OpenMoji emoji, clip art) with ${bundle.manifest.name}@${bundle.manifest.version}...\n`);
  const captioner = await Captioner.open(bundle);
  let exact = 0;
  let words = 0;
  let published = 0;
  let publishedRight = 0;
  try {
    const results = await captioner.caption(images.map((i) => i.file));
    results.forEach((r, i) => {
      if (isFailure(r)) throw new Error(`${r.file}: ${r.error}`);
      const { name } = images[i];
      const right = isExact(r.caption, name);
      exact += right ? 1 : 0;
      words += contains(r.caption, name) ? 1 : 0;
      const reason = reviewReason(r, DEFAULT_SETTINGS, domain);
      published += reason === null ? 1 : 0;
      publishedRight += reason === null && right ? 1 : 0;
      const quality = r.quality === null ? 'quality unknown' : `quality ${r.quality.toFixed(2)}`;
      say(`${path.basename(r.file)}  ${r.caption}  (${quality}: ${reason === null ? 'would be published' : `would wait for review: ${reason}`})`);
      say(`             true: ${name}${right ? '   [exact]' : contains(r.caption, name) ? '   [every word]' : '   [wrong]'}`);
    });
  } finally {
    await captioner.close();
  }
  say(`\n${exact} of ${images.length} captions are the exact name, ${words} hold every word of it.`);
  say(
    `With the plugin's default settings (the bundle's threshold ${domain.threshold.toFixed(2)}, in-domain images only) ${published} would be published (${publishedRight} of them right); the rest would wait for an editor.`,
  );
  say(`Images: ${[...new Set(images.map((i) => i.credit))].join('; ')}.`);
}

/** New scenes the share of captions with no false claim is measured over, however few are shown. */
export const SHARE_SCENES = 60;

/** New ShapesWorld scenes, captioned, with the claims each caption gets wrong. */
async function shapesDemo(bundle: Bundle, count: number, seed: number, given: string | undefined): Promise<void> {
  const out = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-demo-'));
  fs.mkdirSync(out, { recursive: true });
  const total = Math.max(count, SHARE_SCENES);
  const scenes = Array.from({ length: total }, (_, i) => sampleScene(new Rng(seed, STREAM.scene, i)));
  const files = await Promise.all(
    scenes.map(async (scene, i) => {
      const file = path.join(out, `scene-${i}.png`);
      fs.writeFileSync(file, await renderScene(scene, bundle.manifest.clip.imageSize, new Rng(seed, STREAM.render, i)));
      return file;
    }),
  );
  say(`Captioning ${total} new scenes drawn in ${out} with ${bundle.manifest.name}@${bundle.manifest.version}; the first ${count} beside the truth:\n`);
  const captioner = await Captioner.open(bundle);
  let clean = 0;
  let shownClean = 0;
  try {
    const results = await captioner.caption(files);
    results.forEach((r, i) => {
      if (isFailure(r)) throw new Error(`${r.file}: ${r.error}`);
      const errors = Object.entries(captionErrors(r.caption, scenes[i]))
        .filter(([, e]) => e.wrong > 0)
        .map(([a]) => a);
      clean += errors.length ? 0 : 1;
      if (i >= count) return;
      shownClean += errors.length ? 0 : 1;
      say(`${path.basename(r.file)}  ${r.caption}  (confidence ${r.confidence.toFixed(2)}; M = ${r.m}, ${r.timings.decoder.toFixed(0)} ms decoding)`);
      say(`             true: ${captionsFor(scenes[i], new Rng(seed, STREAM.caption, i))[0]}${errors.length ? `   [wrong ${errors.join(', ')}]` : ''}`);
    });
  } finally {
    await captioner.close();
  }
  say(`\n${shownClean} of ${count} captions above make no false claim about colour, shape, count or relation.`);
  say(`Over all ${total} new scenes: ${clean} of ${total} (${((100 * clean) / total).toFixed(0)} %) make none.`);
}

export const demo = defineCommand({
  name: 'demo',
  summary: 'caption held-out images with the default bundle, beside the truth',
  about:
    'An art bundle (the default, art-mini) captions the shipped OpenMoji emoji and clip art, which no network here was trained on, beside their true names, and says which captions its threshold would publish. A ShapesWorld bundle (--bundle shapes-mini) draws new scenes and lists the claims each caption gets wrong. Nothing is downloaded.',
  options: {
    count: { type: 'whole', min: 1, default: 18, help: 'images (art: at most the 18 shipped) or scenes to draw' },
    seed: { type: 'whole', min: 0, default: 2026, help: 'seed of the ShapesWorld scenes' },
    out: { type: 'text', arg: 'DIR', defaultText: 'a new temporary folder', help: 'folder for the ShapesWorld scene images' },
    bundle: { type: 'text', arg: 'NAME|PATH', default: defaultBundleRef(), help: 'the model bundle; $ALTBRIDGE_BUNDLE sets the default' },
  },
  example: 'altbridge demo --count 6',
  async run({ count, seed, out, bundle: ref }) {
    const bundle = loadBundle(ref);
    if (bundle.manifest.provenance.recipe?.shapes) await shapesDemo(bundle, count, seed, out);
    else await artDemo(bundle, count);
    say(`Caption your own images: npx altbridge caption IMAGE|DIR ...`);
    return 0;
  },
});
