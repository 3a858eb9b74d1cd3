/**
 * Where `shapes report` works by default: in the default build's work folder for the default
 * recipe (so it reuses what that build trained), in a folder of its own for any other recipe (whose
 * stage stamps would otherwise clear the build's checkpoints).
 */
import * as path from 'path';
import { reportWork } from '../../cli/shapes';
import { SHAPES_MINI } from '../../research/shapes/build';
import { modelsDir } from '../../worker/bundle/load';

const runs = path.join(modelsDir(), '..', 'runs');

test("the default recipe's report works in the default build's folder; another recipe in one of its own", () => {
  expect(reportWork({ ...SHAPES_MINI })).toBe(path.join(runs, 'shapes-mini'));
  const short = reportWork({ ...SHAPES_MINI, clipSteps: 300 });
  const other = reportWork({ ...SHAPES_MINI, data: { ...SHAPES_MINI.data, pairs: 40 } });
  for (const dir of [short, other]) expect(path.dirname(dir)).toBe(runs);
  for (const dir of [short, other]) expect(path.basename(dir)).toMatch(/^shapes-report-[0-9a-f]{12}$/);
  expect(short).not.toBe(other);
  expect(reportWork({ ...SHAPES_MINI, clipSteps: 300 })).toBe(short);
});
