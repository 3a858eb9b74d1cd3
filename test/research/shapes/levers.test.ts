/**
 * `shapes levers` on tiny recipes: levers with the same CLIP recipe share one trained CLIP, a lever
 * naming a finished bundle is scored without building, every lever is scored on the validation
 * split, a rerun reads the finished results, and a lever whose recipe changed is built again;
 * levers.json keeps every lever's row across runs and LEVERS.md is rendered from it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Lever, LEVERS } from '../../../research/shapes/lever-list';
import { LeverRow, recordLevers, renderLevers } from '../../../research/shapes/lever-table';
import { LeverResult, measureLevers } from '../../../research/shapes/levers';
import { splitPairs } from '../../../research/shapes/build';
import { loadBundle } from '../../../worker/bundle/load';
import { editManifest } from '../../../worker/bundle/write';
import { BRIDGE_DEFAULTS } from '../../../worker/diffusion';
import { tinyShapes } from '../../setup/tiny-shapes';

const tiny = tinyShapes();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'levers-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// The built lever's bundle ships a depth of its own, as the committed bundle does after its M sweep.
const chosen = path.join(work, 'chosen');
fs.cpSync(tiny.bundle, chosen, { recursive: true });
editManifest(chosen, (raw) => (raw.diffusion = { ...(raw.diffusion as object), defaultM: 100 }));

const levers: Lever[] = [
  { name: 'built', change: 'the tiny bundle, already built', recipe: tiny.recipe, bundle: chosen },
  { name: 'plain', change: 'built here', recipe: tiny.recipe },
  { name: 'decoder', change: 'one more decoder step', recipe: { ...tiny.recipe, decoderSteps: tiny.recipe.decoderSteps + 1 } },
  { name: 'hard', change: 'hard negatives', recipe: { ...tiny.recipe, hardNegatives: true } },
];

async function run(ls: Lever[]) {
  const stages: string[] = [];
  const results = await measureLevers({ work, beam: 1, command: 'test', onStage: (s, d) => stages.push(`${s}: ${d}`) }, ls);
  return { stages, results };
}

test('levers share a CLIP where their CLIP recipe agrees, and each is scored on the validation split', async () => {
  const { stages, results } = await run(levers);
  expect(results.map((r) => r.name)).toEqual(['built', 'plain', 'decoder', 'hard']);
  // The built lever trains nothing; plain and hard each train a CLIP; decoder reuses plain's.
  expect(stages.filter((s) => s.startsWith('clip:'))).toHaveLength(2);
  expect(stages.filter((s) => s.startsWith('decoder:'))).toHaveLength(3);
  const at = (name: string) => stages.findIndex((s) => s.startsWith(`lever: ${name}`));
  expect(stages.slice(at('built'), at('plain')).map((s) => s.split(':')[0])).toEqual(['lever', 'score']);
  for (const r of results) {
    expect(r.recallAt1).toBeGreaterThanOrEqual(0);
    expect(r.recallAt1).toBeLessThanOrEqual(1);
    for (const row of [r.oracle, r.bridge]) {
      expect(Number.isFinite(row.scores.ciderD)).toBe(true);
      for (const e of [row.shape, row.binding, row.count]) {
        expect(e.rate).toBeGreaterThanOrEqual(0);
        expect(e.rate).toBeLessThanOrEqual(1);
        expect(e.wrong).toBeLessThanOrEqual(e.claims);
      }
    }
    // Every lever is bridged at the paper's depth, whatever depth its bundle ships with.
    expect(r.bridge.m).toBe(BRIDGE_DEFAULTS.defaultM);
    expect(r.twinWins).toBeGreaterThanOrEqual(0);
    expect(r.twinWins).toBeLessThanOrEqual(1);
    expect(r.bridge.clean).toBeGreaterThanOrEqual(0);
    expect(r.bridge.clean).toBeLessThanOrEqual(1);
    if (r.name === 'built') expect([r.clipMinutes, r.clipLoss]).toEqual([null, null]);
    else {
      expect(r.clipMinutes).toBeGreaterThan(0);
      expect(r.clipLoss).toBeGreaterThan(0);
    }
  }
  // Levers sharing a CLIP report the same CLIP stage time.
  expect(results[2].clipMinutes).toBe(results[1].clipMinutes);
  // One data set, made once, for every lever: each lever's work folder links to it.
  const dataDirs = fs.readdirSync(work).filter((f) => f.startsWith('data-'));
  expect(dataDirs).toHaveLength(1);
  for (const f of fs.readdirSync(work).filter((f) => f.startsWith('clip-'))) expect(fs.realpathSync(path.join(work, f, 'data'))).toBe(fs.realpathSync(path.join(work, dataDirs[0], 'data')));
  // The zero-shot probe covers exactly the validation split's one-object scenes.
  const ones = splitPairs(path.join(work, dataDirs[0], 'data'), tiny.recipe.val).val.filter((it) => it.scene.objects.length === 1).length;
  for (const r of results) {
    expect(r.zeroShot.scenes).toBe(ones);
    for (const rate of [r.zeroShot.shape, r.zeroShot.colour]) expect(ones ? rate >= 0 && rate <= 1 : Number.isNaN(rate)).toBe(true);
  }
  const md = renderLevers(recordLevers(work, results, 1, levers), 'npx altbridge shapes levers');
  for (const l of levers) expect(md).toContain(`| ${l.name} | ${l.change} |`);
  // Every row has as many cells as the header.
  const cells = md
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split(' | ').length);
  expect(new Set(cells).size).toBe(1);
});

test("a committedClip lever copies the committed bundle's CLIP part instead of training one; another CLIP recipe is refused", async () => {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'levers-committed-'));
  try {
    const stages: string[] = [];
    const measure = (ls: Lever[]) => measureLevers({ work: fresh, beam: 1, command: 'test', committed: chosen, onStage: (s, d) => stages.push(`${s}: ${d}`) }, ls);
    const lever: Lever = { name: 'captioner', change: 'two more decoder steps', recipe: { ...tiny.recipe, decoderSteps: tiny.recipe.decoderSteps + 2 }, committedClip: true };
    const [r] = await measure([lever]);
    expect(stages.filter((s) => s.startsWith('clip:'))).toEqual([`clip: the CLIP of ${chosen}, trained on these inputs`]);
    expect(stages.some((s) => s.startsWith('decoder:'))).toBe(true);
    expect([r.clipMinutes, r.clipLoss]).toEqual([null, null]);
    const built = loadBundle(path.join(fresh, 'captioner', 'bundle')).manifest;
    for (const f of ['clip/vision_model.onnx', 'clip/text_model.onnx']) expect(built.files[f].sha256).toBe(loadBundle(chosen).manifest.files[f].sha256);
    // Only the CLIP part: not the committed bundle's chosen depth.
    expect(built.diffusion.defaultM).toBe(BRIDGE_DEFAULTS.defaultM);
    // The same recipe without the flag trains its own CLIP.
    const [own] = await measure([{ ...lever, name: 'own', committedClip: undefined }]);
    expect(own.clipMinutes).toBeGreaterThan(0);
    expect(stages.filter((s) => s.startsWith('clip:')).at(-1)).toMatch(/^clip: \d+ steps on/);
    await expect(measure([{ ...lever, name: 'other', recipe: { ...lever.recipe, clipSteps: tiny.recipe.clipSteps + 1 } }])).rejects.toThrow(/whose recorded recipe trains another CLIP/);
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
});

test('a rerun reads the finished levers; another beam rescores; a lever whose recipe changed is built again', async () => {
  const again = await run(levers);
  expect(again.stages).toEqual([]);
  expect(again.results).toHaveLength(levers.length);
  // A result stored before the shape or the zero-shot columns is scored again on its bundle, nothing rebuilt.
  const file = path.join(work, 'decoder', 'result.json');
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as LeverResult;
  delete (stored.oracle as Partial<LeverResult['oracle']>).shape;
  fs.writeFileSync(file, JSON.stringify(stored));
  const rescored = await run(levers);
  expect(rescored.stages.map((s) => s.split(':')[0])).toEqual(['lever', 'score']);
  expect(rescored.results[2].oracle.shape.claims).toBeGreaterThanOrEqual(0);
  expect(rescored.results[2].bundle).toBe(stored.bundle);
  const scored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LeverResult>;
  delete scored.zeroShot;
  fs.writeFileSync(file, JSON.stringify(scored));
  const probed = await run(levers);
  expect(probed.stages.map((s) => s.split(':')[0])).toEqual(['lever', 'score']);
  expect(probed.results[2].zeroShot.scenes).toBe(rescored.results[2].zeroShot.scenes);
  // So is one bridged at another depth (the bundle's own, before every lever was bridged at the paper's).
  const deep = JSON.parse(fs.readFileSync(file, 'utf8')) as LeverResult;
  fs.writeFileSync(file, JSON.stringify({ ...deep, bridge: { ...deep.bridge, m: 100 } }));
  const bridged = await run(levers);
  expect(bridged.stages.map((s) => s.split(':')[0])).toEqual(['lever', 'score']);
  expect(bridged.results[2].bridge.m).toBe(BRIDGE_DEFAULTS.defaultM);
  const beam2 = await measureLevers({ work, beam: 2, command: 'test', only: ['plain'] }, levers);
  expect(beam2.map((r) => [r.name, r.beam])).toEqual([['plain', 2]]);
  const changed = await run([{ ...levers[2], recipe: { ...levers[2].recipe, draws: 2 } }]);
  expect(changed.stages.some((s) => s.startsWith('decoder:'))).toBe(true);
  expect(changed.stages.some((s) => s.startsWith('clip:'))).toBe(false);
  expect(changed.results[0].recipe.draws).toBe(2);
});

test("levers.json keeps rows across runs: a run replaces its levers' rows; a changed recipe or another beam drops a row", async () => {
  const dir = fs.mkdtempSync(path.join(work, 'record-'));
  const first = (await run(levers)).results;
  expect(recordLevers(dir, first, 1, levers).map((r) => r.name)).toEqual(levers.map((l) => l.name));
  // A later run of one lever leaves the others' rows standing.
  const plain = first.find((r) => r.name === 'plain')!;
  const rows = recordLevers(dir, [{ ...plain, recallAt1: 0.5 }], 1, levers);
  expect(rows.map((r) => [r.name, r.recallAt1 === 0.5])).toEqual(levers.map((l) => [l.name, l.name === 'plain']));
  const changed = levers.map((l) => (l.name === 'decoder' ? { ...l, recipe: { ...l.recipe, draws: 9 } } : l));
  expect(recordLevers(dir, [], 1, changed).map((r) => r.name)).toEqual(['built', 'plain', 'hard']);
  expect(recordLevers(dir, [], 2, levers)).toEqual([]);
});

test("the committed LEVERS.md is levers.json rendered, row for row, each row of its lever's current recipe", () => {
  const reports = path.join(__dirname, '../../../reports/shapes');
  const rows = JSON.parse(fs.readFileSync(path.join(reports, 'levers.json'), 'utf8')) as LeverRow[];
  for (const r of rows) expect(r.recipe).toEqual(LEVERS.find((l) => l.name === r.name)?.recipe);
  const table = (md: string) => md.split('\n').filter((l) => l.startsWith('|'));
  expect(table(renderLevers(rows, ''))).toEqual(table(fs.readFileSync(path.join(reports, 'LEVERS.md'), 'utf8')));
});
