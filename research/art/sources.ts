/**
 * ArtWorld's data: pinned packages from the npm registry and Debian, fetched on demand into a
 * cache (never project dependencies), checked against their published integrity hashes and
 * unpacked once. A folder laid out like the unpacked cache (the test fixture) can stand in for it.
 */
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

export interface ArtSource {
  /** Folder name in the unpacked cache. */
  dir: string;
  kind: 'npm' | 'deb';
  name: string;
  version: string;
  /** npm: the registry's sha512 integrity; deb: Debian's SHA256 of the .deb. */
  integrity: string;
  licence: string;
  /** What ArtWorld takes from it. */
  use: string;
}

export const ART_SOURCES: ArtSource[] = [
  {
    dir: 'emojibase-data',
    kind: 'npm',
    name: 'emojibase-data',
    version: '17.0.0',
    integrity: 'sha512-Yvgb5AWoHViHV/gq1qr5ZAarcBip+B27/ZLRsUJkbgAEaLlZ/fof9g882LTpmEpyhBNEC0m2SEmItljHsTygjA==',
    licence: 'MIT (data from Unicode CLDR, Unicode licence)',
    use: 'CLDR English labels, tags, groups',
  },
  {
    dir: 'emoji-datasource-google',
    kind: 'npm',
    name: 'emoji-datasource-google',
    version: '16.0.0',
    integrity: 'sha512-ZRexfzs7MVoLnmzZmNsO4TKhnAJp5D++Vm6PpUpH/jEQQlemp3l88CjZ+DoZ2faM9R4QxZkOPJCoT8DlPhfQ3A==',
    licence: 'MIT package; Noto Emoji images Apache-2.0',
    use: 'Noto style, 64 px PNG (training)',
  },
  {
    dir: 'fluentui-emoji',
    kind: 'npm',
    name: 'fluentui-emoji',
    version: '1.3.0',
    integrity: 'sha512-JTXXwqIie2rWTgOkIJDJxr0WtwTz2WU4kdOq8buLVThYwQ264aFR2jdTyuon2oEbLqqGMT64zI4btyn1saB2xw==',
    licence: 'MIT (Microsoft Fluent UI Emoji)',
    use: 'Fluent flat, modern and high-contrast styles, SVG (training)',
  },
  {
    dir: 'openmoji',
    kind: 'npm',
    name: 'openmoji',
    version: '17.0.0',
    integrity: 'sha512-EBnYrNGdcdw+OSXmENeNE1yBNRu6tOraTmoOyUbJkTmvT/+XETp8RZLSJFzD3lrPc5N9CzsyPnRTk0Vp4UaI9w==',
    licence: 'CC BY-SA 4.0 (OpenMoji, HfG Schwäbisch Gmünd)',
    use: 'OpenMoji colour style, SVG (held out: evaluation only)',
  },
  {
    dir: 'openclipart',
    kind: 'deb',
    name: 'openclipart-svg',
    version: '1:0.18+dfsg-19',
    integrity: 'sha256-989712d90d57dfa3230049f553bb43b76c30ee4d4b8c5f6e106e33f7db5cbdc5',
    licence: 'public domain (Open Clip Art Library)',
    use: 'clip art SVGs with titles and keywords',
  },
];

/** What ArtWorld reads inside each unpacked source, so the fixture mirrors exactly this. */
export const ART_PATHS = {
  labels: 'emojibase-data/en/data.json',
  groups: 'emojibase-data/en/messages.json',
  notoIndex: 'emoji-datasource-google/emoji.json',
  noto: 'emoji-datasource-google/img/google/64',
  fluent: 'fluentui-emoji/icons',
  openmoji: 'openmoji/color/svg',
  clipart: 'openclipart/svg',
};

function checkIntegrity(file: string, integrity: string): void {
  const [algo, want] = integrity.split('-', 2) as [string, string];
  const got = crypto
    .createHash(algo)
    .update(fs.readFileSync(file))
    .digest(algo === 'sha256' ? 'hex' : 'base64');
  if (got !== want) throw new Error(`art data: ${path.basename(file)} has ${algo} ${got}, not the pinned ${want}; delete it and fetch again`);
}

async function download(s: ArtSource, cache: string): Promise<string> {
  const dl = path.join(cache, 'downloads');
  fs.mkdirSync(dl, { recursive: true });
  const have = fs.readdirSync(dl).find((f) => (s.kind === 'npm' ? f === `${s.name}-${s.version}.tgz` : f.startsWith(`${s.name}_`) && f.endsWith('.deb')));
  if (have) return path.join(dl, have);
  try {
    if (s.kind === 'npm') await run('npm', ['pack', `${s.name}@${s.version}`, '--pack-destination', dl, '--silent'], { maxBuffer: 1 << 24 });
    else await run('apt-get', ['download', `${s.name}=${s.version}`], { cwd: dl, maxBuffer: 1 << 24 });
  } catch (err) {
    throw new Error(`art data: could not fetch ${s.name} ${s.version} from the ${s.kind === 'npm' ? 'npm registry' : 'Debian archive'} (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  return download(s, cache);
}

/**
 * The unpacked sources under `cache/src`, fetching and unpacking what is missing (an interrupted
 * unpack is redone: each source is unpacked beside its place and renamed into it).
 */
export async function fetchArtSources(cache: string, onSource?: (s: ArtSource, state: 'cached' | 'fetched') => void): Promise<string> {
  const root = path.join(cache, 'src');
  fs.mkdirSync(root, { recursive: true });
  for (const s of ART_SOURCES) {
    const dest = path.join(root, s.dir);
    if (fs.existsSync(dest)) {
      onSource?.(s, 'cached');
      continue;
    }
    const file = await download(s, cache);
    checkIntegrity(file, s.integrity);
    const tmp = `${dest}.part`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    if (s.kind === 'npm') await run('tar', ['xzf', file, '-C', tmp, '--strip-components=1']);
    else {
      await run('dpkg-deb', ['-x', file, `${tmp}.deb`]);
      fs.renameSync(path.join(`${tmp}.deb`, 'usr/share/openclipart/svg'), path.join(tmp, 'svg'));
      fs.rmSync(`${tmp}.deb`, { recursive: true, force: true });
    }
    fs.renameSync(tmp, dest);
    onSource?.(s, 'fetched');
  }
  return root;
}
