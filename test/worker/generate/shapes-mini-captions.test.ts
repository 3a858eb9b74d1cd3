/**
 * The decoder hygiene a user sees, on the committed default bundle models/shapes-mini and new
 * ShapesWorld scenes: no caption says a 4-token phrase twice ("a single red square, … and a single
 * red square") and none shows CLIP's token splits ("medium - sized").
 */
import * as path from 'path';
import { loadBundle } from '../../../worker/bundle/load';
import { Captioner, CaptionResult, isFailure } from '../../../worker/caption';
import { ClipTokenizer } from '../../../worker/clip/tokenizer';
import { renderScene } from '../../../research/shapes/render';
import { sampleScene } from '../../../research/shapes/scene';
import { Rng } from '../../../worker/train/rng';

const SEED = 2026;
const SCENES = 40;

test(`captions of ${SCENES} new scenes repeat no 4-token phrase and read as written`, async () => {
  const bundle = loadBundle(path.join(__dirname, '..', '..', '..', 'models', 'shapes-mini'));
  const size = bundle.manifest.clip.imageSize;
  const images = await Promise.all(Array.from({ length: SCENES }, async (_, i) => ({ name: `scene-${i}.png`, data: await renderScene(sampleScene(new Rng(SEED, 1, i)), size, new Rng(SEED, 2, i)) })));
  const captioner = await Captioner.open(bundle);
  let results;
  try {
    results = await captioner.caption(images);
  } finally {
    await captioner.close();
  }
  const tok = ClipTokenizer.load(bundle.file(bundle.manifest.clip.tokenizer));
  const captions = results.map((r) => (isFailure(r) ? r.error : (r as CaptionResult).caption));
  const repeats = captions.filter((c) => {
    const ids = tok.tokens(c);
    const runs = ids.slice(0, ids.length - 3).map((_, i) => ids.slice(i, i + 4).join(' '));
    return new Set(runs).size < runs.length;
  });
  expect(repeats).toEqual([]);
  expect(captions.filter((c) => / [-'.,] |^[-'.,]| [.,]$/.test(c))).toEqual([]);
});
