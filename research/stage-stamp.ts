/**
 * A build stage's inputs, stamped beside its output (`<dir>.inputs.json`) when it starts. A rerun
 * with the same inputs resumes or reuses the stage; one with other inputs (a changed recipe, other
 * data) starts it afresh, instead of resuming another run's checkpoints or passing off an old
 * output as the new recipe's.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const stampFile = (dir: string) => `${dir}.inputs.json`;

/** A short digest of a value (a data list too long to stamp whole). */
export const digest = (value: unknown): string => crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/**
 * Whether `dir` belongs to these inputs. When it does not, `dir` and the folders in `also` (the
 * stage's checkpoints) are removed and the new inputs stamped, so the stage runs from the start.
 */
export function sameInputs(dir: string, inputs: unknown, also: string[] = []): boolean {
  const want = JSON.stringify(inputs);
  if (fs.existsSync(stampFile(dir)) && fs.readFileSync(stampFile(dir), 'utf8') === want) return true;
  for (const d of [dir, ...also]) fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.writeFileSync(stampFile(dir), want);
  return false;
}
