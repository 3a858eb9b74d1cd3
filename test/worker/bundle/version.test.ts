/** Bundle versions: the last number is bumped, and the next version skips those already installed. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { bumpVersion, nextVersion } from '../../../worker/bundle/version';

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
