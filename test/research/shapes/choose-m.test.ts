/**
 * Choosing a ShapesWorld bundle's default M: the sweep's figures are the captioner's own at each M,
 * the most captions with no false claim wins (CIDEr-D between equals), the choice is written into
 * the manifest with its figures, and it is marked done so a completed bundle is not swept again.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../../../worker/bundle/load';
import { Captioner, isFailure } from '../../../worker/caption';
import { bestM, chooseShapesM, M_CHOICE_NOTE, M_CHOICES, mChosen } from '../../../research/shapes/choose-m';
import { readShapesPart, ShapesItem } from '../../../research/shapes/data';
import { isFalse } from '../../../research/shapes/errors';
import { generateShapes } from '../../../research/shapes/generate';

const SHAPES_MINI = path.join(__dirname, '..', '..', '..', 'models', 'shapes-mini');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-choose-m-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let val: ShapesItem[];
beforeAll(async () => {
  await generateShapes(path.join(root, 'data'), { seed: 78, pairs: 0, texts: 0, heldOut: 8, size: 64 });
  val = readShapesPart(path.join(root, 'data'), 'heldout');
});

test('the most captions with no false claim wins when the lead is beyond noise; CIDEr-D decides between depths it cannot tell apart', () => {
  // Two depths: M 0 with the higher share of clean captions, M 600 with the higher CIDEr-D.
  const pick = (clean0: number, clean600: number, n: number) =>
    bestM(
      [
        { m: 0, clean: clean0, ciderD: 0.7 },
        { m: 600, clean: clean600, ciderD: 0.9 },
      ],
      n,
    ).m;
  // 25 % against 5 % of 250 images is far beyond two standard errors of the difference (about 0.06).
  expect(pick(0.25, 0.05, 250)).toBe(0);
  // 8.8 % against 6.4 % of 250 (22 against 16 captions) is within noise: CIDEr-D decides.
  expect(pick(0.088, 0.064, 250)).toBe(600);
  // The same shares over 5000 images are told apart.
  expect(pick(0.088, 0.064, 5000)).toBe(0);
  // Equal shares: the higher CIDEr-D, of three.
  expect(
    bestM(
      [
        { m: 0, clean: 0.1, ciderD: 0.7 },
        { m: 400, clean: 0.1, ciderD: 0.8 },
        { m: 600, clean: 0.1, ciderD: 0.75 },
      ],
      250,
    ).m,
  ).toBe(400);
});

test("the sweep scores the captioner's captions at each M and writes the best as the bundle's default, marked done, its old calibration gone", async () => {
  const dir = path.join(root, 'bundle');
  fs.cpSync(SHAPES_MINI, dir, { recursive: true });
  // The shipped bundle's build chose its M: without that record it is a bundle from before the choice.
  const file = path.join(dir, 'manifest.json');
  const shipped = JSON.parse(fs.readFileSync(file, 'utf8')) as { provenance: { commands: string[] }; diffusion: { defaultM: number } };
  expect(mChosen(dir)).toBe(true);
  shipped.provenance.commands = shipped.provenance.commands.filter((c) => !c.startsWith(M_CHOICE_NOTE));
  // A depth no sweep picks, so the written default shows.
  expect(M_CHOICES).not.toContain(500);
  shipped.diffusion.defaultM = 500;
  fs.writeFileSync(file, JSON.stringify(shipped));
  const before = loadBundle(dir).manifest;
  expect(mChosen(dir)).toBe(false);
  expect(before.quality).toBeDefined();
  const { m, rows } = await chooseShapesM(dir, val, 1);
  expect(rows.map((r) => r.m)).toEqual(M_CHOICES);
  expect(m).toBe(bestM(rows, val.length).m);
  // The clean share at one M, recounted from the product's captions at that M.
  const c = await Captioner.open(loadBundle(SHAPES_MINI));
  const at = await c.caption(
    val.map((v) => v.image),
    { m: 200, beam: 1 },
  );
  await c.close();
  const clean = at.filter((r, i) => !isFailure(r) && !isFalse(r.caption, val[i].scene)).length / val.length;
  expect(rows.find((r) => r.m === 200)!.clean).toBeCloseTo(clean, 10);
  const after = loadBundle(dir).manifest;
  expect(after.diffusion).toEqual({ ...before.diffusion, defaultM: m });
  expect(mChosen(dir)).toBe(true);
  expect(after.quality).toBeUndefined();
  expect(after.provenance.commands[after.provenance.commands.length - 1]).toMatch(
    new RegExp(`^bridging depth chosen on the validation split \\(8 images, beam 1\\): M = ${m}, .*M 800: [\\d.]+ % with no false claim, CIDEr-D [\\d.]+\\)$`),
  );
});
