/**
 * What a threshold publishes, with the committed shapes-mini bundle on new ShapesWorld scenes and
 * a drawn landscape: T = 0 writes every caption that is not out of domain, T = 1 writes none (an estimate is
 * never certain), the out-of-domain landscape is never written, and a bundle without calibration is refused.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../../../worker/bundle/load';
import { readShapesPart, ShapesItem } from '../../../research/shapes/data';
import { isFalse } from '../../../research/shapes/errors';
import { generateShapes } from '../../../research/shapes/generate';
import { publishing } from '../../../research/shapes/publishing';
import { writeCalibration } from '../../../research/trust/report';
import { Captioner, isFailure } from '../../../worker/caption';
import { landscape } from '../../worker/domain-fixtures';

const SHAPES_MINI = path.join(__dirname, '..', '..', '..', 'models', 'shapes-mini');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-publishing-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let items: ShapesItem[];
beforeAll(async () => {
  await generateShapes(path.join(root, 'data'), { seed: 77, pairs: 0, texts: 0, heldOut: 8, size: 64 });
  const land = path.join(root, 'landscape.png');
  fs.writeFileSync(land, await landscape());
  const scenes = readShapesPart(path.join(root, 'data'), 'heldout');
  items = [...scenes, { image: land, captions: [], scene: scenes[0].scene }];
});

/** A copy of shapes-mini whose calibration has threshold `t`. */
function withThreshold(t: number): string {
  const dir = path.join(root, `t${t}`);
  fs.cpSync(SHAPES_MINI, dir, { recursive: true });
  writeCalibration(dir, { ...loadBundle(dir).manifest.quality!, threshold: t }, 'test');
  return dir;
}

test('T = 0 writes every caption not out of domain, T = 1 none; the counts agree with the claim checker', async () => {
  const all = await publishing(withThreshold(0), items, 1);
  const c = await Captioner.open(loadBundle(SHAPES_MINI));
  const captions = await c.caption(
    items.map((i) => i.image),
    { beam: 1 },
  );
  await c.close();
  const ok = captions.map((r, i) => (isFailure(r) ? fail(r.error) : { clean: !isFalse(r.caption, items[i].scene), out: r.domain.verdict === 'out' }));
  expect(ok[ok.length - 1].out).toBe(true);
  expect(all).toEqual({
    m: loadBundle(SHAPES_MINI).manifest.diffusion.defaultM,
    threshold: 0,
    captions: 9,
    outOfDomain: ok.filter((x) => x.out).length,
    written: ok.filter((x) => !x.out).length,
    writtenClean: ok.filter((x) => !x.out && x.clean).length,
    clean: ok.filter((x) => x.clean).length,
  });
  expect(await publishing(withThreshold(1), items, 1)).toMatchObject({ threshold: 1, written: 0, writtenClean: 0, clean: all.clean });
});

test('a bundle without a quality calibration is refused', async () => {
  const dir = path.join(root, 'uncalibrated');
  fs.cpSync(SHAPES_MINI, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete m.quality;
  fs.writeFileSync(file, JSON.stringify(m));
  await expect(publishing(dir, items, 1)).rejects.toThrow(/has no quality calibration/);
});
