/**
 * `shapes levers` on tiny recipes: levers with the same CLIP recipe share one trained CLIP, a lever
 * naming a finished bundle is scored without building, every lever is scored on the validation
 * split, a rerun reads the finished results, and a lever whose recipe changed is built again.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { finishedLevers, Lever, measureLevers, renderLevers } from '../../../research/shapes/levers';
import { tinyShapes } from '../../setup/tiny-shapes';

const tiny = tinyShapes();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'levers-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const levers: Lever[] = [
  { name: 'built', change: 'the tiny bundle, already built', recipe: tiny.recipe, bundle: tiny.bundle },
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
      expect(row.binding.rate).toBeGreaterThanOrEqual(0);
    }
    expect(r.bridge.m).toBeGreaterThan(0);
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
  const md = renderLevers(results, 'npx altbridge shapes levers');
  for (const l of levers) expect(md).toContain(`| ${l.name} | ${l.change} |`);
  // Every row has as many cells as the header.
  const cells = md
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split(' | ').length);
  expect(new Set(cells).size).toBe(1);
});

test('a rerun reads the finished levers; another beam rescores; a lever whose recipe changed is built again', async () => {
  const again = await run(levers);
  expect(again.stages).toEqual([]);
  expect(finishedLevers({ work, beam: 1 }, levers).map((r) => r.name)).toEqual(levers.map((l) => l.name));
  expect(finishedLevers({ work, beam: 2 }, levers)).toEqual([]);
  const beam2 = await measureLevers({ work, beam: 2, command: 'test', only: ['plain'] }, levers);
  expect(beam2.map((r) => [r.name, r.beam])).toEqual([['plain', 2]]);
  const changed = await run([{ ...levers[2], recipe: { ...levers[2].recipe, draws: 2 } }]);
  expect(changed.stages.some((s) => s.startsWith('decoder:'))).toBe(true);
  expect(changed.stages.some((s) => s.startsWith('clip:'))).toBe(false);
  expect(changed.results[0].recipe.draws).toBe(2);
});
