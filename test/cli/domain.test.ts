/** `caption` prints the domain verdict and the quality estimate: after the confidence in text, as fields in JSON. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { landscape, shapesScene } from '../worker/domain-fixtures';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const SHAPES_MINI = path.join(__dirname, '..', '..', 'models', 'shapes-mini');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-cli-domain-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const caption = (...args: string[]) => spawnSync(process.execPath, [BIN, 'caption', '--bundle', SHAPES_MINI, ...args], { encoding: 'utf8', env: { ...process.env, ALTBRIDGE_THREADS: '1' } });

test('text mode says in or out of domain after the confidence; JSON carries the domain object', async () => {
  fs.writeFileSync(path.join(root, 'a-scene.png'), await shapesScene(2));
  fs.writeFileSync(path.join(root, 'b-landscape.png'), await landscape());
  const text = caption(root);
  expect(text.status).toBe(0);
  const lines = text.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^.*a-scene\.png\t.+\t\(confidence -?\d+\.\d{3}, quality (0|1)\.\d{2}, in domain\)$/);
  expect(lines[1]).toMatch(/^.*b-landscape\.png\t.+\t\(confidence -?\d+\.\d{3}, quality (0|1)\.\d{2}, out of domain\)$/);

  const json = caption('--json', root);
  expect(json.status).toBe(0);
  const [scene, land] = json.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(scene.domain).toEqual({ distance: expect.any(Number), score: expect.any(Number), colour: { distance: expect.any(Number), score: expect.any(Number) }, verdict: 'in' });
  expect(land.domain).toMatchObject({ verdict: 'out' });
  expect(land.domain.distance).toBeGreaterThan(scene.domain.distance);
  // shapes-mini carries a calibration, so both captions have a quality estimate in [0, 1].
  for (const r of [scene, land]) expect(r.quality).toBeGreaterThanOrEqual(0);
  for (const r of [scene, land]) expect(r.quality).toBeLessThanOrEqual(1);
});
