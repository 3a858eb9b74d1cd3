/**
 * ArtWorld on the fixture (a subset of the pinned sources, laid out as they unpack): the emoji
 * joined with their names and styles, splits kept apart by style and by clip art, the pipeline end
 * to end (build, caption a held-out OpenMoji image with the product's captioner, the report), and
 * sources that do not match their pinned hash refused.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ART_DOMAIN, ART_MINI, ArtBuild, artData, buildArt } from '../../../research/art/build';
import { readArtPart } from '../../../research/art/dataset';
import { fluentSlug, readEmoji } from '../../../research/art/emoji';
import { writeArtReport } from '../../../research/art/report';
import { measureArt } from '../../../research/art/measure';
import { fetchArtSources } from '../../../research/art/sources';
import { charts } from '../../../research/trust/sources';
import { loadBundle } from '../../../worker/bundle/load';
import { Captioner, isFailure } from '../../../worker/caption';
import { runtimeConfig } from '../../../worker/runtime';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'art');
const made: string[] = [];
const tmp = () => {
  made.push(fs.mkdtempSync(path.join(os.tmpdir(), 'art-pipeline-')));
  return made[made.length - 1];
};
const savedCache = process.env.ALTBRIDGE_CACHE;
beforeAll(() => (process.env.ALTBRIDGE_CACHE = tmp()));
afterAll(() => {
  if (savedCache === undefined) delete process.env.ALTBRIDGE_CACHE;
  else process.env.ALTBRIDGE_CACHE = savedCache;
  made.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/** The default recipe shrunk to seconds; shares large enough that the fixture has every split. */
const TINY: ArtBuild = {
  ...ART_MINI,
  data: { ...ART_MINI.data, size: 32, valShare: 0.4, clipartHeldOutShare: 0.4 },
  clip: {
    vision: { imageSize: 32, patch: 8, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 },
    text: { contextLength: 32, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 },
    vocabSize: 700,
    fit: 'trim',
  },
  clipSteps: 20,
  denoiserSteps: 20,
  decoderSteps: 20,
  draws: 1,
  decoder: { width: 32, layers: 1, heads: 2, prefixTokens: 2, prefixHidden: 32, softPrompts: 1 },
};

describe('emoji', () => {
  test('each base emoji has its CLDR label, tags, group and the images each style has of it', () => {
    const emoji = readEmoji(FIXTURE);
    const labels = emoji.map((e) => e.label);
    // Components (skin tones) and regional indicators are not emoji a picture shows.
    expect(labels).not.toContain('light skin tone');
    expect(labels.some((l) => l.startsWith('regional indicator'))).toBe(false);
    const nerd = emoji.find((e) => e.label === 'nerd face')!;
    expect(nerd.group).toBe('smileys & emotion');
    expect(nerd.tags).toContain('geek');
    expect(Object.keys(nerd.images).sort()).toEqual(['fluent-flat', 'fluent-high-contrast', 'fluent-modern', 'noto', 'openmoji']);
    expect(path.basename(nerd.images.noto!)).toBe('1f913.png');
    expect(path.basename(nerd.images.openmoji!)).toBe('1F913.svg');
    // Fluent names skin-toned emoji "-default".
    expect(path.basename(emoji.find((e) => e.label === 'thumbs up')!.images['fluent-flat']!)).toBe('thumbs-up-default.svg');
  });

  test("Fluent's slug of a label", () => {
    expect(fluentSlug('flag: Côte d’Ivoire')).toBe('flag-cote-divoire');
    expect(fluentSlug('umbrella with rain drops')).toBe('umbrella-with-rain-drops');
    expect(fluentSlug('A button (blood type)')).toBe('a-button-blood-type');
  });
});

describe('the ArtWorld pipeline on the fixture', () => {
  const work = tmp();
  const cache = tmp();
  const out = path.join(tmp(), 'art-tiny');
  const opts = { cache, sources: FIXTURE, work, out, name: 'art-tiny', version: '1.0.0', command: 'test' };

  test('splits: the held-out style and held-out clip art are in no training part; no drawing is in both clip-art parts; the corpus has every label', async () => {
    const { dir, summary } = await artData(TINY, opts);
    const clip = readArtPart(dir, 'clip');
    const val = readArtPart(dir, 'val');
    const held = readArtPart(dir, 'heldout');
    const clipHeld = readArtPart(dir, 'clipartHeldout');
    expect(val.length).toBeGreaterThan(0);
    expect(held.length).toBeGreaterThan(0);
    expect(clipHeld.length).toBeGreaterThan(0);
    expect(held.every((h) => h.style === 'openmoji')).toBe(true);
    expect(clip.some((c) => c.style.startsWith('openmoji'))).toBe(false);
    expect(val.every((v) => v.style === 'noto')).toBe(true);
    // A validation image is not trained on, though the same emoji is, in its other styles.
    const trained = new Set(clip.map((c) => c.image.replace(/\.(grey|outline|jitter)\.png$/, '.png')));
    for (const v of val) {
      expect(trained.has(v.image)).toBe(false);
      expect(clip.some((c) => c.key === v.key && c.style.startsWith('fluent'))).toBe(true);
    }
    // No drawing is in both clip-art parts, though the fixture links one into a second category and copies it.
    const drawing = (c: { key: string }) =>
      crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(FIXTURE, 'openclipart', 'svg', c.key)))
        .digest('hex');
    const clipArt = clip.filter((c) => c.kind === 'clipart');
    expect(new Set([...clipArt, ...clipHeld].map(drawing)).size).toBe(clipArt.length + clipHeld.length);
    expect(clipArt.length + clipHeld.length + summary.sameLookingHeldOut).toBe(summary.clipart.kept);
    // Nor does a held-out drawing look like a training one (the fixture saves the apple again with other metadata).
    const looks = (it: { image: string }) => crypto.createHash('sha256').update(fs.readFileSync(it.image)).digest('hex');
    const trainedLooks = new Set(clipArt.map(looks));
    expect(clipHeld.filter((c) => trainedLooks.has(looks(c)))).toEqual([]);
    // At these shares the re-saved apple falls in the held-out tenth: it is the one dropped.
    expect(summary.sameLookingHeldOut).toBe(1);
    const corpus = fs.readFileSync(path.join(dir, 'corpus.txt'), 'utf8').trim().split('\n');
    for (const e of readEmoji(FIXTURE)) expect(corpus).toContain(e.label);
    // A held-out drawing's title is in the corpus only where a training drawing has it too.
    for (const c of clipHeld) expect(corpus.includes(c.name)).toBe(clipArt.some((t) => t.name === c.name));
    // The emoji CLIP trains on come with their renderings, clip art without; all on disk.
    expect(new Set(clip.map((c) => c.style.split('+')[1]).filter(Boolean))).toEqual(new Set(['grey', 'outline', 'jitter']));
    expect(clip.filter((c) => c.kind === 'clipart' && c.style.includes('+'))).toEqual([]);
    for (const it of [...clip, ...val, ...held, ...clipHeld]) expect(fs.existsSync(it.image)).toBe(true);
    expect(summary.parts).toEqual({ clip: clip.length, val: val.length, heldout: held.length, clipartHeldout: clipHeld.length });
    expect(summary.clipart.files).toBe(10);
    expect(summary.unrendered).toEqual({});
  });

  test('builds a calibrated bundle that captions a held-out OpenMoji image, then the report measures it', async () => {
    const ood = [await charts(cache, 4)];
    const { manifest } = await buildArt(TINY, { ...opts, ood });
    expect(manifest.provenance.recipe?.art).toEqual(TINY);
    expect(manifest.domain?.description).toBe(ART_DOMAIN.description);
    expect(manifest.domain?.demonstration).toBeUndefined();
    expect(manifest.clip.fit).toBe('trim');
    expect(manifest.quality?.threshold).toBeGreaterThan(0);
    expect([0, 100, 200, 400, 600, 800, 900]).toContain(manifest.diffusion.defaultM);
    // A rerun finds the recipe done and trains nothing.
    const again = await buildArt(TINY, { ...opts, ood });
    expect(again.manifest.createdAt).toBe(manifest.createdAt);

    const bundle = loadBundle(out);
    const held = readArtPart(path.join(work, 'data'), 'heldout');
    const captioner = await Captioner.open(bundle, runtimeConfig());
    try {
      const [r] = await captioner.caption([held[0].image]);
      if (isFailure(r)) throw new Error(r.error);
      expect(r.caption.length).toBeGreaterThan(0);
      expect(r.quality).not.toBeNull();
    } finally {
      await captioner.close();
    }

    const results = await measureArt({ ...opts, ood, recipe: TINY, beam: 1 });
    const keys = results.emoji.methods.map((m) => m.key);
    expect(keys).toEqual(['retrieval', 'plain', 'bridging', 'augmentOnly', 'capdec', 'c3', 'decap', 'diffusionBridge', 'oracle']);
    for (const m of results.emoji.methods) {
      expect(m.scores.n).toBe(held.length);
      expect(m.scores.exact).toBeGreaterThanOrEqual(0);
      expect(m.scores.contained).toBeGreaterThanOrEqual(m.scores.exact);
    }
    expect(results.sweepM.map((s) => s.m)).toEqual([0, 100, 200, 400, 600, 800, 900]);
    expect(results.published.images).toBe(held.length);
    const dir = tmp();
    const file = writeArtReport(results, dir);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('## Held-out OpenMoji: every method on the same images');
    expect(text).toContain('CLIP zero-shot retrieval');
    expect(fs.readdirSync(path.join(dir, 'samples', 'openmoji')).length).toBe(results.emoji.samples.length);
  }, 600_000);
});

test('a source whose download does not match its pinned hash is refused, and nothing is unpacked', async () => {
  const cache = tmp();
  fs.mkdirSync(path.join(cache, 'downloads'));
  fs.writeFileSync(path.join(cache, 'downloads', 'emojibase-data-17.0.0.tgz'), 'not the package');
  await expect(fetchArtSources(cache)).rejects.toThrow(/emojibase-data-17\.0\.0\.tgz has sha512 .* not the pinned/);
  expect(fs.existsSync(path.join(cache, 'src', 'emojibase-data'))).toBe(false);
});
