/**
 * `train`, `finetune` and `eval-text` from the command line, a fine-tune stopped by Ctrl-C and
 * resumed by the same command, and a bad corpus refused with nothing written.
 */
import { spawn, spawnSync } from 'child_process';
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
  fs.writeFileSync(
    corpus,
    toy()
      .lines.map((l) => `${l}.`)
      .join('\n'),
  );
  const t = run('train', '--corpus', corpus, '--clip', 'random-tiny', '--denoiser-steps', '30', '--decoder-steps', '30', '--draws', '1', '--augment-step', '200');
  expect(t.stderr).toMatch(/\[augment\] 1 draws per caption at A = 200/);
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
  // The base as a folder; the new version skips the installed 1.0.1; old and new scored on the same lines.
  const f2 = run('finetune', '--from', path.join(models, 'shapes-1.0.0'), '--corpus', corpus, '--denoiser-steps', '10', '--decoder-steps', '10', '--draws', '1');
  expect(f2.stderr).toMatch(/\[eval\] \d+ held-out lines/);
  expect(f2.status).toBe(0);
  expect(f2.stdout).toMatch(/wrote shapes@1\.0\.2 to .*shapes-1\.0\.2\n/);
  expect(f2.stdout).toMatch(/new bundle, \d+ held-out lines: BLEU-1 [\d.]+ .*\nold bundle, same lines: BLEU-1 [\d.]+ BLEU-4 [\d.]+ ROUGE-L [\d.]+ CIDEr-D [\d.]+/);
  expect(JSON.parse(fs.readFileSync(path.join(models, 'shapes-1.0.2', 'manifest.json'), 'utf8')).provenance.notes).toBe('fine-tuned from shapes@1.0.0');
});

test('Ctrl-C stops a fine-tune after a step with its checkpoint; the same command resumes and writes the version', async () => {
  const corpus = path.join(root, 'shapes.txt');
  const args = ['finetune', '--from', 'shapes@1.0.0', '--corpus', corpus, '--version', '2.0.0', '--denoiser-steps', '10', '--decoder-steps', '300', '--draws', '1'];
  const child = spawn(process.execPath, [BIN, ...args], { env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    // After the decoder's first step (its first progress line), so there is a step to resume from.
    if (/decoder 1\/300/.test(stderr) && child.exitCode === null && !child.killed) child.kill('SIGINT');
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toMatch(/stopping after this step \(checkpointed; run the same command to resume\)/);
  expect(stderr).toMatch(/altbridge: train: cancelled \(run again to resume\)/);
  expect(status).toBe(1);
  expect(fs.existsSync(path.join(models, 'shapes-2.0.0'))).toBe(false);
  expect(fs.readdirSync(path.join(root, 'runs', 'shapes-2.0.0', 'decoder'))).toContain('checkpoint.safetensors');
  const again = run(...args);
  expect(again.stderr).toMatch(/decoder: resumed from its checkpoint at step \d+/);
  expect(again.status).toBe(0);
  expect(again.stdout).toMatch(/wrote shapes@2\.0\.0/);
});

test('an empty corpus is refused with a clear message and leaves no bundle behind', () => {
  const empty = path.join(root, 'empty.txt');
  fs.writeFileSync(empty, '');
  const r = run('train', '--corpus', empty, '--clip', 'random-tiny', '--name', 'nothing');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/empty/);
  expect(fs.readdirSync(models).filter((d) => d.startsWith('nothing'))).toEqual([]);
});

test('a --name or --version that would leave the models folder is refused, and nothing is written', () => {
  if (!fs.existsSync(path.join(models, 'tiny'))) makeRandomBundle(path.join(models, 'tiny'), 'tiny', 1);
  const corpus = path.join(root, 'names.txt');
  fs.writeFileSync(
    corpus,
    toy()
      .lines.map((l) => `${l}.`)
      .join('\n'),
  );
  const steps = ['--denoiser-steps', '1', '--decoder-steps', '1', '--draws', '1'];
  const before = fs.readdirSync(root).sort();
  const t = run('train', '--corpus', corpus, '--clip', 'random-tiny', '--name', '../x', ...steps);
  expect(t.stderr).toMatch(/^altbridge: train: a bundle name is lowercase letters, digits, "\.", "_" and "-", starting with a letter or digit \(at most 100 characters\), got "\.\.\/x"\n$/);
  expect(t.status).toBe(1);
  const v = run('train', '--corpus', corpus, '--clip', 'random-tiny', '--name', 'fine', '--version', '../../x', ...steps);
  expect(v.stderr).toMatch(/^altbridge: train: a bundle version is .*got "\.\.\/\.\.\/x"\n$/);
  const upper = run('train', '--corpus', path.join(root, 'Upper Case.txt'), '--clip', 'random-tiny');
  expect(upper.stderr).toMatch(/got "Upper Case" \(the corpus file's name; give one with --name\)\n$/);
  const f = run('finetune', '--from', 'random-tiny', '--corpus', corpus, '--name', '../x', ...steps);
  expect(f.stderr).toMatch(/^altbridge: a bundle name is .*got "\.\.\/x"\n$/);
  expect(f.status).toBe(1);
  expect(fs.readdirSync(root).sort()).toEqual(before);
  expect(fs.readdirSync(models).filter((d) => /^(x|fine)/.test(d))).toEqual([]);
});
