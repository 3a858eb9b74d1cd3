/** The mini-CLIP's image labels: every pair has as many 0/1 values or none has any, refused before any training. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMiniClip, ClipPair } from '../../research/mini-clip';
import { SHAPES_CLIP } from '../../research/shapes/data';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-clip-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const pair = (labels?: number[]): ClipPair => ({ image: path.join(root, 'absent.png'), captions: ['a red circle.'], ...(labels ? { labels } : {}) });
const build = (items: ClipPair[]) =>
  buildMiniClip(items, path.join(root, 'out'), { config: SHAPES_CLIP, corpus: 'test pairs', seed: 0, steps: 1, runDir: path.join(root, 'run'), name: 't', version: '1.0.0', command: 'test' });

test.each([
  ['a pair without labels', [pair([1, 0]), pair()]],
  ['pairs with different numbers of labels', [pair([1, 0]), pair([1, 0, 1])]],
  ['a label that is not 0 or 1', [pair([1, 0]), pair([2, 0])]],
  ['empty labels', [pair([]), pair([])]],
])('%s is refused before any image is read', async (_what, items) => {
  await expect(build(items)).rejects.toThrow('mini-CLIP: image labels must come with every pair, as many 0/1 values each');
  expect(fs.existsSync(path.join(root, 'out'))).toBe(false);
});
