/** `train`, `finetune` and `eval-text` from the command line, and a bad corpus refused with nothing written. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeRandomBundle } from '../../worker/bundle/random';
import { toy } from '../../worker/train/toy';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-cli-train-'));
const models = path.join(root, 'models');
const env = { ...process.env, ALTBRIDGE_MODELS: models, ALTBRIDGE_CACHE: path.join(root, 'cache') };
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('train, eval-text and finetune run from the CLI and write versioned bundles', () => {
  makeRandomBundle(path.join(models, 'tiny'), 'tiny', 1);
  const corpus = path.join(root, 'shapes.txt');
  fs.writeFileSync(corpus, toy().lines.map((l) => `${l}.`).join('\n'));
  const t = run('train', '--corpus', corpus, '--clip', 'random-tiny', '--denoiser-steps', '30', '--decoder-steps', '30', '--draws', '1');
  expect(t.stderr).toMatch(/\[decoder\] 30 steps/);
  expect(t.status).toBe(0);
  expect(t.stdout).toMatch(/wrote shapes@1\.0\.0 to .*shapes-1\.0\.0/);
  expect(run('models', 'list').stdout).toMatch(/shapes@1\.0\.0/);
  const e = run('eval-text', '--bundle', 'shapes', '--corpus', corpus);
  expect(e.status).toBe(0);
  expect(e.stdout).toMatch(/held-out lines: BLEU-1 [\d.]+ BLEU-4 [\d.]+ ROUGE-L [\d.]+ CIDEr-D [\d.]+/);
  const domain = path.join(root, 'domain.txt');
  fs.writeFileSync(domain, ['a pink hexagon above a black moon.', 'a black moon below a pink hexagon.', 'a pink moon next to a black hexagon.'].join('\n'));
  const f = run('finetune', '--from', 'shapes', '--corpus', domain, '--mix', corpus, '--denoiser-steps', '20', '--decoder-steps', '20', '--draws', '1');
  expect(f.status).toBe(0);
  expect(f.stdout).toMatch(/wrote shapes@1\.0\.1/);
});

test('an empty corpus is refused with a clear message and leaves no bundle behind', () => {
  const empty = path.join(root, 'empty.txt');
  fs.writeFileSync(empty, '');
  const r = run('train', '--corpus', empty, '--clip', 'random-tiny', '--name', 'nothing');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/empty/);
  expect(fs.readdirSync(models).filter((d) => d.startsWith('nothing'))).toEqual([]);
});
