/**
 * `altbridge demo` as a user runs it: ShapesWorld scenes on the tiny bundle of the global setup, and the
 * shipped held-out art on the committed default bundle models/art-mini (which ships with the project:
 * that test fails while it is absent).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { SHARE_SCENES } from '../../cli/demo';
import { tinyShapes } from '../setup/tiny-shapes';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-demo-cli-'));
const cache = path.join(root, 'cache');
const savedCache = process.env.ALTBRIDGE_CACHE;
/** The CLI with no bundle or models folder chosen by the environment: the default is the committed one. */
function run(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ALTBRIDGE_CACHE: cache };
  delete env.ALTBRIDGE_BUNDLE;
  delete env.ALTBRIDGE_MODELS;
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
}

afterAll(() => {
  if (savedCache === undefined) delete process.env.ALTBRIDGE_CACHE;
  else process.env.ALTBRIDGE_CACHE = savedCache;
  fs.rmSync(root, { recursive: true, force: true });
});

interface DemoLine {
  file: string;
  caption: string;
  truth: string;
  wrong: boolean;
}

/** The demo's output: header, one caption line and one "true:" line per scene, the summary. */
function parseDemo(stdout: string, count: number): { header: string; lines: DemoLine[]; summary: string; share: string } {
  const out = stdout.split('\n');
  const lines: DemoLine[] = [];
  out.forEach((l, i) => {
    const m = /^(scene-\d+\.png) {2}(.*) {2}\(confidence -?[\d.]+; M = \d+, \d+ ms decoding\)$/.exec(l);
    if (m) lines.push({ file: m[1], caption: m[2], truth: (/^\s+true: (.+?)(\s+\[wrong .*\])?$/.exec(out[i + 1] ?? '') ?? [])[1] ?? '', wrong: /\[wrong .*\]$/.test(out[i + 1] ?? '') });
  });
  const summary = out.find((l) => new RegExp(`^\\d+ of ${count} captions above make no false claim`).test(l)) ?? '';
  const share = out.find((l) => l.startsWith('Over all ')) ?? '';
  return { header: out[0], lines, summary, share };
}

test(`demo --count 3 --out --bundle: ${SHARE_SCENES} new scenes drawn and captioned, three shown beside the truth, and the share with no false claim`, async () => {
  const tiny = tinyShapes();
  const bundle = tiny.bundle;
  const out = path.join(root, 'scenes');
  const r = run(['demo', '--count', '3', '--out', out, '--bundle', bundle]);
  expect([r.status, r.stderr]).toEqual([0, '']);
  const pngs = fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.png'))
    .sort();
  expect(pngs).toEqual(Array.from({ length: SHARE_SCENES }, (_, i) => `scene-${i}.png`).sort());
  for (const f of pngs.slice(0, 3)) {
    const meta = await sharp(path.join(out, f)).metadata();
    expect([f, meta.format, meta.width, meta.height]).toEqual([f, 'png', 64, 64]);
  }
  const d = parseDemo(r.stdout, 3);
  expect(d.header).toBe(`Captioning ${SHARE_SCENES} new scenes drawn in ${out} with ${tiny.name}@${tiny.version}; the first 3 beside the truth:`);
  expect(d.lines.map((l) => l.file)).toEqual(['scene-0.png', 'scene-1.png', 'scene-2.png']);
  for (const l of d.lines) expect(l.truth).toMatch(/\.$/);
  expect(d.summary).toMatch(/^[0-3] of 3 captions above make no false claim about colour, shape, count or relation\.$/);
  const share = new RegExp(`^Over all ${SHARE_SCENES} new scenes: (\\d+) of ${SHARE_SCENES} \\((\\d+) %\\) make none\\.$`).exec(d.share);
  expect(share).not.toBeNull();
  // The three shown are among them, so the share counts at least their clean captions and at most all the others.
  const clean = Number(share![1]);
  const shownClean = Number(/^(\d+)/.exec(d.summary)![1]);
  expect(shownClean).toBe(d.lines.filter((l) => !l.wrong).length);
  expect(clean).toBeGreaterThanOrEqual(shownClean);
  expect(clean).toBeLessThanOrEqual(shownClean + SHARE_SCENES - 3);
  expect(Number(share![2])).toBe(Math.round((100 * clean) / SHARE_SCENES));
});

test('demo with no --bundle captions the shipped held-out emoji and clip art with the committed default bundle models/art-mini', () => {
  // No skip when it is missing: the bundle ships with the project, so its absence is a failure.
  const manifest = path.join(__dirname, '..', '..', 'models', 'art-mini', 'manifest.json');
  expect([manifest, fs.existsSync(manifest)]).toEqual([manifest, true]);
  const names = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'models', 'art-demo', 'names.json'), 'utf8')) as { file: string; name: string }[];
  const r = run(['demo']);
  expect([r.status, r.stderr]).toEqual([0, '']);
  const out = r.stdout.split('\n');
  expect(out[0]).toMatch(/^Captioning 18 images in styles no network here was trained on \(OpenMoji emoji, clip art\) with art-mini@\S+\.\.\.$/);
  const lines = out.flatMap((l, i) => {
    const m = /^(\S+\.svg) {2}(.*) {2}\(quality [\d.]+: (would be published|would wait for review: (?:out-of-domain|low-quality))\)$/.exec(l);
    const t = /^\s+true: (.+?) {3}\[(exact|every word|wrong)\]$/.exec(out[i + 1] ?? '');
    return m && t ? [{ file: m[1], caption: m[2], publish: m[3], truth: t[1], verdict: t[2] }] : [];
  });
  expect(lines.map((l) => [l.file, l.truth])).toEqual(names.map((n) => [n.file, n.name]));
  const exact = lines.filter((l) => l.verdict === 'exact').length;
  const published = lines.filter((l) => l.publish === 'would be published');
  expect(r.stdout).toContain(`\n${exact} of 18 captions are the exact name, `);
  expect(r.stdout).toMatch(
    new RegExp(`threshold [\\d.]+, in-domain images only\\) ${published.length} would be published \\(${published.filter((l) => l.verdict === 'exact').length} of them right\\)`),
  );
  expect(r.stdout).toContain('OpenMoji (openmoji.org), CC BY-SA 4.0');
});
