/**
 * `caption --no-repeat N` on the committed default bundle: on the first demo scene whose caption, with
 * repeats allowed, says a run of DEFAULT_NO_REPEAT_NGRAM words twice, --no-repeat 0 keeps the repeat
 * and the default drops it. The scene is found with the bundle itself, so a rebuilt bundle finds its own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderScene } from '../../research/shapes/render';
import { sampleScene } from '../../research/shapes/scene';
import { loadBundle } from '../../worker/bundle/load';
import { Captioner } from '../../worker/caption';
import { DEFAULT_NO_REPEAT_NGRAM } from '../../worker/generate';
import { Rng } from '../../worker/train/rng';
import { repeatedRun } from '../helpers/ngram';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const BUNDLE = path.join(__dirname, '..', '..', 'models', 'shapes-mini');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-norepeat-cli-'));
const image = path.join(root, 'scene.png');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A run of `n` words (punctuation dropped) that the text says twice, or null. */
const repeatedWords = (text: string, n: number): string | null =>
  repeatedRun(
    text
      .toLowerCase()
      .split(/\s+/)
      .map((w) => w.replace(/[^a-z-]/g, ''))
      .filter(Boolean),
    n,
  );

/** The run the chosen scene's caption repeats when repeats are allowed. */
let repeated: string | null = null;

// The scenes of `altbridge demo`'s default seed, 64 px as the bundle's CLIP takes them, in its domain (the CLI prints their captions).
beforeAll(async () => {
  const captioner = await Captioner.open(loadBundle(BUNDLE));
  try {
    for (let i = 0; i < 200 && !repeated; i++) {
      const png = await renderScene(sampleScene(new Rng(2026, 1, i)), 64, new Rng(2026, 2, i));
      const [r] = await captioner.caption([{ name: 'scene.png', data: png }], { noRepeatNgram: 0 });
      repeated = 'caption' in r && r.domain.verdict === 'in' ? repeatedWords(r.caption, DEFAULT_NO_REPEAT_NGRAM) : null;
      if (repeated) fs.writeFileSync(image, png);
    }
  } finally {
    await captioner.close();
  }
}, 60_000);

const caption = (...args: string[]) => spawnSync(process.execPath, [BIN, 'caption', '--bundle', BUNDLE, ...args, image], { encoding: 'utf8' });
/** The caption column of the CLI's one line. */
const captionOf = (stdout: string) => stdout.split('\t')[1] ?? '';

test('--no-repeat 0 lets a run of words repeat; the default does not', () => {
  expect(repeated).not.toBeNull();
  const off = caption('--no-repeat', '0');
  expect(off.status).toBe(0);
  expect(repeatedWords(captionOf(off.stdout), DEFAULT_NO_REPEAT_NGRAM)).toBe(repeated);
  const on = caption();
  expect(on.status).toBe(0);
  expect(captionOf(on.stdout)).toMatch(/\w+/);
  expect(repeatedWords(captionOf(on.stdout), DEFAULT_NO_REPEAT_NGRAM)).toBeNull();
});

test('a negative --no-repeat is refused', () => {
  const r = caption('--no-repeat=-1');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/--no-repeat must be a whole number >= 0/);
});
