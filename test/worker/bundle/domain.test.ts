/**
 * Domain data in a bundle, with the default bundle's real CLIP: its own kind of image is 'in', a
 * drawn landscape is 'out', a drawn emoji face lies far beyond the bundle's colours (reported; the CLIP
 * space decides), a bundle without colour data reports none, one without any domain data says 'unknown',
 * and the data file is covered by the manifest's hash check.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle, loadClip } from '../../../worker/bundle/load';
import { Captioner, CaptionResult, isFailure } from '../../../worker/caption';
import { emoji, landscape, shapesScene } from '../domain-fixtures';

const SHAPES_MINI = path.join(__dirname, '..', '..', '..', 'models', 'shapes-mini');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-domain-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const copy = (name: string) => {
  const d = path.join(root, name);
  fs.cpSync(SHAPES_MINI, d, { recursive: true });
  return d;
};

async function captionAll(dir: string): Promise<CaptionResult[]> {
  const c = await Captioner.open(loadBundle(dir));
  try {
    const r = await c.caption([
      ...(await Promise.all([0, 1, 2, 3].map(async (i) => ({ name: `scene-${i}.png`, data: await shapesScene(i) })))),
      { name: 'emoji.png', data: await emoji() },
      { name: 'landscape.png', data: await landscape() },
    ]);
    return r.map((x) => (isFailure(x) ? fail(x.error) : x));
  } finally {
    await c.close();
  }
}

test('the default bundle says in for new ShapesWorld scenes and out for a drawn landscape; a drawn emoji lies beyond its colours', async () => {
  const m = loadClip(SHAPES_MINI).manifest;
  expect(m.domain).toMatchObject({
    file: 'domain.safetensors',
    count: 4750,
    shrinkage: { method: 'ledoit-wolf' },
    demonstration: true,
    description: 'synthetic ShapesWorld scenes — demonstration only',
    colour: { levels: 8 },
  });
  const results = await captionAll(SHAPES_MINI);
  const land = results.pop()!;
  const face = results.pop()!;
  const shown = (r: CaptionResult) => `${r.domain.distance?.toFixed(2)} / ${r.domain.colour?.distance.toFixed(2)}`;
  process.stdout.write(
    `domain distances, CLIP / colour (p99 ${m.domain!.quantiles.p99.toFixed(2)} / ${m.domain!.colour!.quantiles.p99.toFixed(2)}): scenes ${results.map(shown).join(', ')}, emoji ${shown(face)}, landscape ${shown(land)}\n`,
  );
  for (const r of results) {
    expect(r.domain.verdict).toBe('in');
    expect(r.domain.score).toBeGreaterThan(0.01);
    expect(r.domain.colour!.distance).toBeLessThanOrEqual(m.domain!.colour!.quantiles.p99);
  }
  expect(face.domain.verdict).toBe(face.domain.distance! > m.domain!.quantiles.p99 ? 'out' : 'in');
  expect(face.domain.colour!.distance).toBeGreaterThan(m.domain!.colour!.quantiles.p99);
  expect(land.domain.verdict).toBe('out');
  expect(land.domain.score).toBeLessThan(0.01);
  expect(land.domain.distance).toBeGreaterThan(m.domain!.quantiles.p99);
});

test('a bundle made before colour data reports no colour distance and judges alike', async () => {
  const dir = copy('no-colour');
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete m.domain.colour;
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  expect(loadBundle(dir).colourDomain).toBeNull();
  const results = await captionAll(dir);
  for (const r of results) expect(r.domain.colour).toBeNull();
  const face = results[results.length - 2];
  expect(face.domain.verdict).toBe(face.domain.distance! > m.domain.quantiles.p99 ? 'out' : 'in');
});

test('colour data of another histogram is refused', () => {
  const dir = copy('other-levels');
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  m.domain.colour.levels = 4;
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  expect(() => loadBundle(dir)).toThrow(/manifest\.json field "domain\.colour\.levels" must be 8 \(the histogram this version computes\)/);
});

test('a bundle made before domain data loads and reports the domain as unknown', async () => {
  const dir = copy('old');
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Made before domain data, it predates the quality calibration (which reads the domain) too.
  delete m.domain;
  delete m.quality;
  delete m.files['domain.safetensors'];
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  fs.rmSync(path.join(dir, 'domain.safetensors'));
  expect(loadBundle(dir).domain).toBeNull();
  for (const r of await captionAll(dir)) expect([r.domain, r.quality]).toEqual([{ distance: null, score: null, colour: null, verdict: 'unknown' }, null]);
});

test('an altered or unlisted domain file is refused', () => {
  const altered = copy('altered');
  const f = path.join(altered, 'domain.safetensors');
  const bytes = fs.readFileSync(f);
  bytes[bytes.length - 5] ^= 0x01;
  fs.writeFileSync(f, bytes);
  expect(() => loadBundle(altered)).toThrow(`bundle file ${f} does not match its sha256 in the manifest`);

  const unlisted = copy('unlisted');
  const file = path.join(unlisted, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete m.files['domain.safetensors'];
  fs.writeFileSync(file, JSON.stringify(m));
  expect(() => loadClip(unlisted)).toThrow(/manifest refers to domain\.safetensors, which its file list does not name/);
});
