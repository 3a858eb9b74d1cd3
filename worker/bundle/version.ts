/**
 * Bundle versions: the next one after a base, skipping versions installed or being written, and
 * the reservation a run holds on the version it writes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listBundles, modelsDir } from './load';
import { checkBundleName, checkBundleVersion } from './names';

/** 1.2.3 -> 1.2.4 (the last number is bumped); anything else gets ".1" appended. */
export function bumpVersion(version: string): string {
  const m = /^(.*\.)(\d+)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${version}.1`;
}

/** The first bump of `from` that no installed bundle called `name` in `dir` has, and no live run is writing. */
export function nextVersion(name: string, from: string, dir = modelsDir()): string {
  const taken = new Set(
    listBundles(dir)
      .filter((b) => b.name === name)
      .map((b) => b.version),
  );
  for (const v of reservedVersions(name, dir)) taken.add(v);
  let v = bumpVersion(from);
  while (taken.has(v)) v = bumpVersion(v);
  return v;
}

/** Reservations live in MODELS/.reserved/NAME@VERSION: not a bundle folder, so listings skip it. */
const RESERVED = '.reserved';

/** A reservation's run refreshes its folder's mtime this often... */
const REFRESH_MS = 5_000;
/** ...and one not refreshed for this long belongs to a run that died (killed, host lost): it is free again. */
export const RESERVATION_LEASE_MS = 60_000;

const reservationOf = (dir: string, name: string, version: string) => path.join(dir, RESERVED, `${name}@${version}`);

function isLive(p: string): boolean {
  try {
    return Date.now() - fs.statSync(p).mtimeMs <= RESERVATION_LEASE_MS;
  } catch {
    return false;
  }
}

function reservedVersions(name: string, dir: string): string[] {
  const folder = path.join(dir, RESERVED);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.startsWith(`${name}@`) && isLive(path.join(folder, f)))
    .map((f) => f.slice(name.length + 1));
}

export interface Reservation {
  /** Frees the version (the run ended: written, failed or stopped). */
  release(): void;
}

/**
 * Claims `name@version` in `dir` for one run: the folder's mkdir is the atomic step, so of two runs
 * (CLI or admin, any process) targeting one version, one gets it and the other an error. The
 * holder refreshes it while it lives; a reservation left by a killed run expires after the lease.
 */
export function reserveVersion(dir: string, name: string, version: string): Reservation {
  const p = reservationOf(dir, checkBundleName(name), checkBundleVersion(version));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  if (!claim(p)) {
    let owner = 'starting';
    try {
      owner = fs.readFileSync(path.join(p, 'owner'), 'utf8');
    } catch {
      // Not written yet by its run.
    }
    throw new Error(`${name}@${version} is being written by another run (${owner}); wait for it to end, or choose another version`);
  }
  fs.writeFileSync(path.join(p, 'owner'), `pid ${process.pid} on ${os.hostname()} since ${new Date().toISOString()}`);
  const timer = setInterval(() => {
    const now = new Date();
    fs.utimes(p, now, now, () => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    release() {
      clearInterval(timer);
      fs.rmSync(p, { recursive: true, force: true });
    },
  };
}

/** mkdir as the lock; an expired reservation is removed and claimed again once. */
function claim(p: string): boolean {
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.mkdirSync(p);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isLive(p)) return false;
      fs.rmSync(p, { recursive: true, force: true });
    }
  }
  return false;
}
