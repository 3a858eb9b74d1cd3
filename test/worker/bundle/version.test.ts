/**
 * Bundle versions: the last number is bumped, the next version skips those installed or being
 * written, and a version is reserved by one run at a time.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { bumpVersion, nextVersion, RESERVATION_LEASE_MS, reserveVersion } from '../../../worker/bundle/version';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-versions-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('bumpVersion raises the last number, carrying no digit limits; other versions get ".1"', () => {
  expect(bumpVersion('1.2.3')).toBe('1.2.4');
  expect(bumpVersion('1.0.9')).toBe('1.0.10');
  expect(bumpVersion('0.0.99')).toBe('0.0.100');
  expect(bumpVersion('2024.05')).toBe('2024.6');
  expect(bumpVersion('3')).toBe('3.1');
  expect(bumpVersion('1.0.0-rc')).toBe('1.0.0-rc.1');
  expect(bumpVersion('1.0.0-rc.1')).toBe('1.0.0-rc.2');
});

test('nextVersion skips every version of the same name that is installed, and ignores other names', () => {
  // random-tiny@0.0.1, @0.0.2 and @0.0.4 installed (makeRandomBundle's version is 0.0.SEED).
  for (const seed of [1, 2, 4]) makeRandomBundle(path.join(root, `tiny-${seed}`), 'tiny', seed);
  expect(nextVersion('random-tiny', '0.0.0', root)).toBe('0.0.3');
  expect(nextVersion('random-tiny', '0.0.2', root)).toBe('0.0.3');
  expect(nextVersion('random-tiny', '0.0.3', root)).toBe('0.0.5');
  expect(nextVersion('other', '0.0.0', root)).toBe('0.0.1');
  expect(nextVersion('random-tiny', '0.0.0', path.join(root, 'empty-folder'))).toBe('0.0.1');
});

test('a version is reserved by one run at a time; the next version skips it; release frees it', () => {
  const dir = path.join(root, 'reserve');
  const held = reserveVersion(dir, 'shapes', '1.0.1');
  expect(() => reserveVersion(dir, 'shapes', '1.0.1')).toThrow(
    new RegExp(`shapes@1\\.0\\.1 is being written by another run \\(pid ${process.pid} on .* since .*\\); wait for it to end, or choose another version`),
  );
  expect(nextVersion('shapes', '1.0.0', dir)).toBe('1.0.2');
  const other = reserveVersion(dir, 'shapes', '1.0.2');
  held.release();
  expect(nextVersion('shapes', '1.0.0', dir)).toBe('1.0.1');
  reserveVersion(dir, 'shapes', '1.0.1').release();
  other.release();
  expect(() => reserveVersion(dir, '../x', '1.0.0')).toThrow(/a bundle name is/);
  expect(() => reserveVersion(dir, 'x', '../1')).toThrow(/a bundle version is/);
});

test('a reservation its run stopped refreshing (killed) expires after the lease and is taken over', () => {
  // What a killed run leaves: its reservation, last refreshed longer ago than the lease.
  const dir = path.join(root, 'stale');
  const folder = path.join(dir, '.reserved', 'shapes@2.0.1');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'owner'), 'pid 1 on gone-host since 2020-01-01T00:00:00.000Z');
  const past = new Date(Date.now() - RESERVATION_LEASE_MS - 1000);
  fs.utimesSync(folder, past, past);
  expect(nextVersion('shapes', '2.0.0', dir)).toBe('2.0.1');
  const taken = reserveVersion(dir, 'shapes', '2.0.1');
  expect(() => reserveVersion(dir, 'shapes', '2.0.1')).toThrow(/being written by another run \(pid \d+ on /);
  taken.release();
});
