/** A run killed mid-way resumes from its checkpoint and traces the same loss curve as an uninterrupted one. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTensorFile } from '../../../worker/train/tensor-file';

const SCRIPT = path.join(__dirname, 'fixtures', 'train-run.ts');
// One process (tsx's CLI would fork a child that outlives the kill).
const TSX = require.resolve('tsx/cjs');

/** Runs the fixture; `killAt` sends SIGKILL once that step's progress line is seen. */
function run(dir: string, killAt?: number): Promise<{ events: Record<string, unknown>[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', TSX, SCRIPT, dir, '120', '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const events: Record<string, unknown>[] = [];
    let buf = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const e = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        events.push(e);
        if (killAt !== undefined && e.ev === 'progress' && e.step >= killAt) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 || signal ? resolve({ events, signal }) : reject(new Error(`exit ${code}`))));
  });
}

const losses = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'loss.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; loss: number });

test('kill -9 mid-run, resume, same loss curve as an uninterrupted run', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-resume-'));
  const whole = path.join(root, 'whole');
  const broken = path.join(root, 'broken');
  await run(whole);

  const first = await run(broken, 50);
  expect(first.signal).toBe('SIGKILL');
  const saved = readTensorFile(path.join(broken, 'checkpoint.safetensors')).meta as { step: number };
  expect(saved.step).toBeGreaterThanOrEqual(40);
  expect(saved.step).toBeLessThan(120);

  const second = await run(broken);
  const resumed = second.events.find((e) => e.ev === 'resumed');
  expect(resumed).toEqual({ ev: 'resumed', step: saved.step });
  expect(second.events.filter((e) => e.ev === 'progress')[0].step).toBe(saved.step + 1);

  const a = losses(whole);
  const b = losses(broken);
  expect(a).toHaveLength(120);
  expect(b.map((r) => r.step)).toEqual(a.map((r) => r.step));
  expect(b.map((r) => r.loss)).toEqual(a.map((r) => r.loss));
  // Parameters, optimizer state and EMA end bit-identical too.
  const end = (dir: string) => readTensorFile(path.join(dir, 'checkpoint.safetensors')).tensors;
  const [ta, tb] = [end(whole), end(broken)];
  expect(Object.keys(ta).some((k) => k.startsWith('ema/'))).toBe(true);
  for (const k of Object.keys(ta)) expect(Buffer.from(tb[k].data.buffer).equals(Buffer.from(ta[k].data.buffer))).toBe(true);
  console.log(
    `resume: killed after step ${first.events.filter((e) => e.ev === 'progress').pop()!.step}, resumed from checkpoint at step ${saved.step}; loss at 120: ${a[119].loss.toFixed(5)} both runs`,
  );
  fs.rmSync(root, { recursive: true, force: true });
});
