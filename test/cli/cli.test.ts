/** The `altbridge` command line as a user runs it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('--help lists the commands', () => {
  const r = run('--help');
  expect(r.status).toBe(0);
  for (const cmd of ['demo', 'bench train', 'help']) expect(r.stdout).toContain(`  ${cmd}`);
});

test('an unknown command or a bad option fails with a message, not a stack trace', () => {
  const r = run('frobnicate');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  const b = run('bench', 'train', '--layers', 'x', '--no-torch');
  expect(b.status).toBe(1);
  expect(b.stderr).toMatch(/--layers must be a whole number >= 1, got "x"/);
  // A step past the schedule is refused before any data or CLIP is built for it.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-augment-cli-'));
  const a = run('shapes', 'build', '--augment-step', '1000', '--out', path.join(work, 'bundle'), '--work', path.join(work, 'runs'));
  expect(a.status).toBe(1);
  expect(a.stderr).toMatch(/--augment-step must be a whole number from 1 to 999, got 1000/);
  expect(fs.readdirSync(work)).toEqual([]);
  fs.rmSync(work, { recursive: true, force: true });
});

test('bench train runs the onnxruntime side on a small model and prints tokens/s', () => {
  const r = run('bench', 'train', '--layers', '1', '--width', '64', '--heads', '2', '--batch', '4', '--vocab', '50', '--steps', '2', '--warmup', '1', '--no-torch');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/onnxruntime 1\.30\.0: [\d.]+ ms\/step, \d+ tokens\/s/);
});

test('shapes generate writes the three parts', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-shapes-cli-'));
  const r = run('shapes', 'generate', '--out', out, '--seed', '2', '--pairs', '3', '--val', '1', '--texts', '2', '--heldout', '2', '--size', '32');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/wrote 3 pairs, 10 caption lines and 2 held-out images/);
  expect(fs.readFileSync(`${out}/texts.txt`, 'utf8').trim().split('\n')).toHaveLength(10);
  expect(fs.readdirSync(`${out}/heldout`).filter((f) => f.endsWith('.png'))).toHaveLength(2);
  fs.rmSync(out, { recursive: true, force: true });
});
