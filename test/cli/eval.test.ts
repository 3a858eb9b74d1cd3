/**
 * `altbridge eval` and `altbridge shapes report` as a user runs them, on the tiny ShapesWorld bundle
 * of the global setup (test/setup/global-setup.ts): scores on a ShapesWorld split (from --data, or regenerated from the bundle's
 * recipe), on a folder with a references file, and readable failures for bad input.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { readShapesPart } from '../../research/shapes/data';
import { tinyShapes } from '../setup/tiny-shapes';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-eval-cli-'));
const cache = path.join(root, 'cache');
const savedCache = process.env.ALTBRIDGE_CACHE;
const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ALTBRIDGE_CACHE: cache, ...env } });

const tiny = tinyShapes();
const { recipe, dataDir } = tiny;
const bundleDir = tiny.bundle;

interface Summary {
  bundle: string;
  images: number;
  failed: number;
  m: number;
  steps: number;
  scores: Record<string, number>;
}
const SCORES = ['bleu1', 'bleu2', 'bleu3', 'bleu4', 'rougeL', 'ciderD'];

/** The one JSON line --json prints. */
function summary(stdout: string): Summary {
  const lines = stdout.split('\n').filter((l) => l.trim());
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Summary;
}

/** An error of the CLI: exit 1, one readable line on stderr, no stack trace. */
function expectOneLineError(r: ReturnType<typeof run>, pattern: RegExp): void {
  expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(pattern)]);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^altbridge: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(() => {
  process.env.ALTBRIDGE_CACHE = cache;
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.ALTBRIDGE_CACHE;
  else process.env.ALTBRIDGE_CACHE = savedCache;
  fs.rmSync(root, { recursive: true, force: true });
});

/** A folder of the first `n` held-out images with a references file naming them. */
function evalFolder(name: string, n: number): { dir: string; refs: Record<string, string[]> } {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const refs: Record<string, string[]> = {};
  for (const it of readShapesPart(dataDir, 'heldout').slice(0, n)) {
    fs.copyFileSync(it.image, path.join(dir, path.basename(it.image)));
    refs[path.basename(it.image)] = it.captions;
  }
  return { dir, refs };
}

describe('eval --split', () => {
  let withData: Summary;

  test('--split heldout --data --json: one JSON line, every held-out image, finite scores at the bundle M', () => {
    const r = run(['eval', '--bundle', bundleDir, '--split', 'heldout', '--data', dataDir, '--json']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    withData = summary(r.stdout);
    const m = loadBundle(bundleDir).manifest;
    expect(withData.bundle).toBe(`${tiny.name}@${tiny.version}`);
    expect(withData.images).toBe(recipe.data.heldOut);
    expect(withData.failed).toBe(0);
    expect(withData.m).toBe(m.diffusion.defaultM);
    expect(withData.steps).toBe(m.diffusion.ddimSteps);
    expect(Object.keys(withData.scores).sort()).toEqual([...SCORES].sort());
    for (const k of SCORES) {
      const v = withData.scores[k];
      expect([k, Number.isFinite(v) && v >= 0 && v <= 10]).toEqual([k, true]);
    }
  });

  test("--split heldout without --data regenerates the recipe's data into ALTBRIDGE_CACHE, same scores", () => {
    const r = run(['eval', '--bundle', bundleDir, '--split', 'heldout', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(path.join(cache, 'shapes'));
    const keys = fs.readdirSync(path.join(cache, 'shapes'));
    expect(keys).toHaveLength(1);
    const regenerated = path.join(cache, 'shapes', keys[0], 'data');
    expect(JSON.parse(fs.readFileSync(path.join(regenerated, 'options.json'), 'utf8'))).toEqual(recipe.data);
    expect(fs.readFileSync(path.join(regenerated, 'heldout', 'heldout.jsonl'))).toEqual(fs.readFileSync(path.join(dataDir, 'heldout', 'heldout.jsonl')));
    const s = summary(r.stdout);
    expect(withData).toBeDefined();
    expect({ ...s, seconds: 0 }).toEqual({ ...withData, seconds: 0 });
  });

  test('--split val scores the validation pairs', () => {
    const r = run(['eval', '--bundle', bundleDir, '--split', 'val', '--data', dataDir, '--json']);
    expect(r.status).toBe(0);
    expect(summary(r.stdout).images).toBe(recipe.val);
  });
});

describe('eval --images --refs', () => {
  test('a folder with a references file: exit 0, every sample with caption and references, M = 0', () => {
    const { dir, refs } = evalFolder('three', 3);
    const refsFile = path.join(root, 'three.json');
    fs.writeFileSync(refsFile, JSON.stringify(refs));
    const out = path.join(root, 'result.json');
    const r = run(['eval', '--bundle', bundleDir, '--images', dir, '--refs', refsFile, '--m', '0', '--out', out]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/3 images, M = 0, S = 0/);
    const result = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(result.m).toBe(0);
    expect(result.images).toBe(3);
    expect(result.failures).toEqual([]);
    expect(result.samples).toHaveLength(3);
    for (const s of result.samples) {
      expect(typeof s.caption).toBe('string');
      expect(s.references).toEqual(refs[path.basename(s.file)]);
    }
    expect(result.samples.map((s: { file: string }) => path.basename(s.file)).sort()).toEqual(Object.keys(refs).sort());
    for (const k of SCORES) expect(Number.isFinite(result.scores[k])).toBe(true);
  });

  test('a malformed references file fails with one readable line', () => {
    const { dir, refs } = evalFolder('bad-refs', 2);
    const [first] = Object.keys(refs);
    const cases: [string, string, RegExp][] = [
      ['not-json.json', '{"000000.png": ["a red circle."', /not valid JSON/],
      ['list.json', JSON.stringify([refs[first]]), /must be a JSON object/],
      ['empty-list.json', JSON.stringify({ ...refs, [first]: [] }), new RegExp(`"${first}" must map to a non-empty list`)],
      ['missing.json', JSON.stringify({ ...refs, 'nowhere.png': ['a blue square.'] }), /1 listed image\(s\) not in .*nowhere\.png/],
    ];
    for (const [name, text, pattern] of cases) {
      const file = path.join(root, name);
      fs.writeFileSync(file, text);
      expectOneLineError(run(['eval', '--bundle', bundleDir, '--images', dir, '--refs', file, '--json']), pattern);
    }
    expectOneLineError(run(['eval', '--bundle', bundleDir, '--images', dir, '--refs', path.join(root, 'absent.json')]), /does not exist/);
    expectOneLineError(run(['eval', '--bundle', bundleDir, '--images', dir]), /--images DIR and --refs FILE go together/);
  });

  test('a corrupt image is reported as failed, the others are scored, exit 1', () => {
    const { dir, refs } = evalFolder('corrupt', 3);
    fs.writeFileSync(path.join(dir, 'broken.png'), 'not a png at all');
    const refsFile = path.join(root, 'corrupt.json');
    fs.writeFileSync(refsFile, JSON.stringify({ ...refs, 'broken.png': ['a green star.'] }));
    const out = path.join(root, 'corrupt-result.json');
    const r = run(['eval', '--bundle', bundleDir, '--images', dir, '--refs', refsFile, '--json', '--out', out]);
    expect(r.status).toBe(1);
    const s = summary(r.stdout);
    expect([s.images, s.failed]).toEqual([3, 1]);
    const errLines = r.stderr.trim().split('\n');
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(/broken\.png: error: /);
    const result = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(result.failures.map((f: { file: string }) => path.basename(f.file))).toEqual(['broken.png']);
    expect(result.samples.map((x: { file: string }) => path.basename(x.file)).sort()).toEqual(Object.keys(refs).sort());
  });
});

describe('shapes report', () => {
  test('on the tiniest recipe writes REPORT.md with every section and valid figures', async () => {
    const out = path.join(root, 'report');
    const r = run([
      'shapes',
      'report',
      '--pairs',
      '150',
      '--texts',
      '30',
      '--heldout',
      '12',
      '--val',
      '12',
      '--clip-steps',
      '5',
      '--denoiser-steps',
      '5',
      '--decoder-steps',
      '5',
      '--draws',
      '1',
      '--beam',
      '1',
      '--out',
      out,
      '--work',
      path.join(root, 'report-work'),
    ]);
    expect([r.status, r.stderr.split('\n').filter((l) => l.startsWith('altbridge:'))]).toEqual([0, []]);
    const file = path.join(out, 'REPORT.md');
    expect(r.stdout).toContain(`wrote ${file}`);
    const md = fs.readFileSync(file, 'utf8');
    for (const h of ['## Findings', '## Table 1 analogue', '## Ablation', '## Baselines', '## M sweep', '## DDIM steps', '## Errors by attribute']) {
      expect([h, md.split('\n').some((l) => l.startsWith(h))]).toEqual([h, true]);
    }
    const section = (h: string) => md.slice(md.indexOf(h), md.indexOf('\n## ', md.indexOf(h) + 1));
    const firstCells = (h: string) =>
      section(h)
        .split('\n')
        .filter((l) => /^\| \d+ \|/.test(l))
        .map((l) => Number(l.split('|')[1]));
    expect(firstCells('## M sweep')).toEqual([0, 100, 200, 400, 600, 800, 900]);
    expect(firstCells('## DDIM steps')).toEqual([1, 3, 5, 12]);
    expect(md).not.toMatch(/NaN|undefined/);

    const figures = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(figures.length).toBeGreaterThanOrEqual(8);
    for (const f of figures) {
      const meta = await sharp(path.join(out, f)).metadata();
      expect([f, meta.format]).toEqual([f, 'png']);
      expect(meta.width).toBeGreaterThan(100);
      expect(meta.height).toBeGreaterThan(100);
    }
  });
});
