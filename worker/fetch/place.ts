/**
 * A folder filled in `<dest>.tmp-PID` beside it and renamed into place only when complete, so
 * nothing ever appears at `dest` half-made. A temp folder left by a dead process is adopted, so a
 * rerun after an interruption resumes from the files (and .part files) it already has.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DownloadError } from './download';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const hasFiles = (dir: string): boolean => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile());

/** Our temp folder for `dest`: a dead process's one renamed to ours, else a new one. */
function tempFolder(dest: string): string {
  const parent = path.dirname(dest);
  const tmp = `${dest}.tmp-${process.pid}`;
  const pattern = new RegExp(`^${path.basename(dest).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tmp-(\\d+)$`);
  for (const entry of fs.readdirSync(parent)) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (!pid || pid === process.pid) continue;
    if (alive(pid)) throw new Error(`another fetch (pid ${pid}) is writing ${dest}; wait for it or stop it`);
    if (!fs.existsSync(tmp)) fs.renameSync(path.join(parent, entry), tmp);
  }
  fs.mkdirSync(tmp, { recursive: true });
  return tmp;
}

/** Runs `fill(tmp)` and renames tmp to `dest`; refuses an existing `dest` unless `force`. */
export async function intoPlace<T>(dest: string, force: boolean, fill: (tmp: string) => Promise<T>): Promise<T> {
  if (fs.existsSync(dest) && !force) throw new Error(`${dest} already exists; pass --force to replace it`);
  const madeParent = fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = tempFolder(dest);
  let result: T;
  try {
    result = await fill(tmp);
  } catch (err) {
    // Only a broken connection is worth resuming; wrong content or a refusing server starts clean.
    const resumable = err instanceof DownloadError && (err.kind === 'interrupted' || err.kind === 'unreachable');
    if (resumable && hasFiles(tmp)) throw new DownloadError(`${err.message} (files so far kept in ${tmp}; the same command resumes)`, err.kind, err.status);
    fs.rmSync(tmp, { recursive: true, force: true });
    // Folders this call made for the temp folder go too (rmdir refuses any that is not empty).
    for (let d = path.dirname(dest); madeParent; d = path.dirname(d)) {
      try {
        fs.rmdirSync(d);
      } catch {
        break;
      }
      if (d === madeParent) break;
    }
    throw err;
  }
  if (fs.existsSync(dest)) {
    // --force: move the old one aside first so dest is never missing for long, nor half-made.
    const old = `${dest}.old-${process.pid}`;
    fs.renameSync(dest, old);
    fs.renameSync(tmp, dest);
    fs.rmSync(old, { recursive: true, force: true });
  } else fs.renameSync(tmp, dest);
  return result;
}
