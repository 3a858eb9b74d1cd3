/** A build's stage timings, kept in its work folder (timings.json). */
import * as fs from 'fs';
import * as path from 'path';

/**
 * Seconds each stage took when it last ran in this work folder (kept in timings.json), so a run
 * that reuses finished stages can still say what building from nothing costs.
 */
export function stageTimes(work: string): Record<string, number> {
  const file = path.join(work, 'timings.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>) : {};
}

export async function timed<T>(work: string, name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await run();
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'timings.json'), JSON.stringify({ ...stageTimes(work), [name]: (Date.now() - started) / 1000 }, null, 2));
  return result;
}
