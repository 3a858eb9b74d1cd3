/**
 * `caption` prints the quality estimate beside the confidence and domain verdict; `--min-quality Q`
 * prints only the file and the reason for images below Q (or of unknown quality), and the exit
 * status does not change.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { withheldReason } from '../../cli/caption';
import { makeRandomBundle } from '../../worker/bundle/random';
import { QualityCalibration } from '../../worker/quality';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-min-quality-'));
const plain = path.join(root, 'plain');
const calibrated = path.join(root, 'calibrated');
const images = path.join(root, 'images');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const CAL: QualityCalibration = {
  model: 'logistic',
  features: ['confidence', 'tokens'],
  mean: [-2, 5],
  scale: [1, 3],
  coefficients: [0.5, 0.1],
  intercept: 0,
  threshold: 0.5,
  chosenWith: { rule: 'test' },
};

beforeAll(async () => {
  makeRandomBundle(plain, 'tiny', 4);
  fs.cpSync(plain, calibrated, { recursive: true });
  const file = path.join(calibrated, 'manifest.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), quality: CAL }, null, 2));
  fs.mkdirSync(images);
  for (const [name, colour] of [
    ['a.png', '#d01010'],
    ['b.png', '#1010d0'],
  ]) {
    await sharp({ create: { width: 40, height: 40, channels: 3, background: colour } })
      .png()
      .toFile(path.join(images, name));
  }
});

const caption = (bundle: string, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'caption', '--bundle', bundle, '--max-tokens', '6', ...args], { encoding: 'utf8', env: { ...process.env, ALTBRIDGE_THREADS: '1' } });
const lines = (out: string) => out.trim().split('\n');

test('text mode prints the quality; --min-quality withholds the caption and says why, exit status 0', () => {
  const shown = caption(calibrated, images);
  expect(shown.status).toBe(0);
  for (const l of lines(shown.stdout)) expect(l).toMatch(/^.*[ab]\.png\t.*\t\(confidence -?\d+\.\d{3}, quality (0|1)\.\d{2}, domain unknown\)$/);

  const kept = caption(calibrated, '--min-quality', '0', images);
  expect(kept.stdout).toBe(shown.stdout);

  const withheld = caption(calibrated, '--min-quality', '1', images);
  expect(withheld.status).toBe(0);
  const out = lines(withheld.stdout);
  expect(out).toHaveLength(2);
  out.forEach((l, i) => expect(l).toMatch(new RegExp(`^.*${'ab'[i]}\\.png\\t\\(withheld: quality \\d\\.\\d{2} < 1\\.00; domain unknown\\)$`)));
});

test('JSON carries quality, and a withheld image only its file, reason, quality and domain', () => {
  const json = caption(calibrated, '--json', images);
  expect(json.status).toBe(0);
  const rows = lines(json.stdout).map((l) => JSON.parse(l));
  for (const r of rows) {
    expect(r.quality).toBeGreaterThan(0);
    expect(r.quality).toBeLessThan(1);
  }
  const withheld = lines(caption(calibrated, '--json', '--min-quality', '1', images).stdout).map((l) => JSON.parse(l));
  expect(withheld[0]).toEqual({
    file: rows[0].file,
    withheld: expect.stringMatching(/^withheld: quality \d\.\d{2} < 1\.00; domain unknown$/),
    quality: rows[0].quality,
    domain: { distance: null, score: null, colour: null, verdict: 'unknown' },
  });
});

test('a bundle without a calibration: quality unknown, and --min-quality withholds every caption', () => {
  const shown = caption(plain, images);
  expect(lines(shown.stdout)[0]).toMatch(/\(confidence -?\d+\.\d{3}, quality unknown, domain unknown\)$/);
  const withheld = caption(plain, '--min-quality', '0.2', images);
  expect(withheld.status).toBe(0);
  expect(lines(withheld.stdout)[0]).toMatch(/a\.png\t\(withheld: quality unknown \(the bundle has no calibration\); domain unknown\)$/);
});

test('the reason names the quality, the bound and the domain verdict; a bad bound is refused', () => {
  expect(withheldReason({ quality: 0.12, domain: { distance: 40, score: 0, colour: null, verdict: 'out' } }, 0.5)).toBe('withheld: quality 0.12 < 0.50; out of domain');
  expect(withheldReason({ quality: 0.5, domain: { distance: 1, score: 0.5, colour: null, verdict: 'in' } }, 0.5)).toBeNull();
  // Out of domain is withheld whatever its quality, as the publishing policy withholds it.
  expect(withheldReason({ quality: 0.9, domain: { distance: 40, score: 0, colour: null, verdict: 'out' } }, 0.5)).toBe('withheld: out of domain; quality 0.90');
  const bad = caption(calibrated, '--min-quality', '2', images);
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/--min-quality must be a number from 0 to 1, got "2"/);
});
