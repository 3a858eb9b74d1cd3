/**
 * Out-of-domain images for the trust report, fetched on demand into a cache folder (never
 * committed): a Debian package's artwork (`apt-get download` + `dpkg-deb -x`), an npm package's
 * emoji images (`npm pack` + tar), and charts drawn here (research/report/plot.ts, seeded). Each
 * source records its package, version and licence. A finished fetch leaves a stamp, so a rerun
 * reuses it and an interrupted one starts that source again.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { drawCharts } from './charts';

export interface OodSource {
  /** Short name used in the report's tables. */
  name: string;
  /** How it was obtained, package and version. */
  origin: string;
  licence: string;
  /** Image files, in a stable order. */
  files: string[];
}

/** Image files (PNG, JPEG, SVG, WebP) under a folder at any depth, sorted. */
export function imagesUnder(dir: string, re = /\.(png|jpe?g|svg|webp)$/i): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => re.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** At most `count` of `files`, evenly spaced through the sorted list (deterministic). */
export function spread<T>(files: T[], count: number): T[] {
  if (files.length <= count) return files;
  return Array.from({ length: count }, (_, i) => files[Math.floor((i * files.length) / count)]);
}

/** Runs `make(dir)` once into `dir`; a stamp file marks it finished. */
function once(dir: string, make: (dir: string) => Record<string, string>): Record<string, string> {
  const stamp = path.join(dir, '.done.json');
  if (fs.existsSync(stamp)) return JSON.parse(fs.readFileSync(stamp, 'utf8')) as Record<string, string>;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const info = make(dir);
  fs.writeFileSync(stamp, JSON.stringify(info));
  return info;
}

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The distinct `License:` names of a Debian machine-readable copyright file. */
function debianLicences(file: string): string {
  if (!fs.existsSync(file)) return 'see the package copyright file';
  const names = new Set(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^License:\s*\S/.test(l))
      .map((l) => l.replace(/^License:\s*/, '').trim()),
  );
  return [...names].join(', ');
}

/** A Debian package's images (artwork: wallpapers, logos, boot splashes). */
export function debianImages(cache: string, pkg: string, max: number): OodSource {
  const dir = path.join(cache, `debian-${pkg}`);
  const info = once(dir, (d) => {
    run('apt-get', ['download', pkg], d);
    const deb = fs.readdirSync(d).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${d}`);
    run('dpkg-deb', ['-x', deb, 'x'], d);
    const version = run('dpkg-deb', ['-f', deb, 'Version'], d).trim();
    return { version, licence: debianLicences(path.join(d, 'x', 'usr', 'share', 'doc', pkg, 'copyright')) };
  });
  // Raster files and SVGs alike; the same artwork in many sizes is thinned by spread().
  const files = spread(imagesUnder(path.join(dir, 'x')), max);
  return { name: `debian ${pkg}`, origin: `Debian package ${pkg} ${info.version} (apt-get download)`, licence: info.licence, files };
}

/** An npm package's images under `sub` (e.g. emoji-datasource-google's img/google/64). */
export function npmImages(cache: string, spec: string, sub: string, max: number): OodSource {
  const dir = path.join(cache, `npm-${spec.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  const info = once(dir, (d) => {
    const tgz = run('npm', ['pack', spec, '--silent'], d).trim().split('\n').pop()!;
    fs.mkdirSync(path.join(d, 'x'));
    run('tar', ['-xzf', tgz, '-C', 'x'], d);
    const pkg = JSON.parse(fs.readFileSync(path.join(d, 'x', 'package', 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    return { version: `${pkg.name}@${pkg.version}`, licence: pkg.license ?? 'not stated' };
  });
  const files = spread(imagesUnder(path.join(dir, 'x', 'package', sub)), max);
  return { name: `npm ${spec.replace(/@[^@]*$/, '')}`, origin: `npm package ${info.version} (npm pack), ${sub}`, licence: info.licence, files };
}

/** Line, bar and scatter charts drawn by research/report/plot.ts (seeded). */
export async function charts(cache: string, count: number): Promise<OodSource> {
  const dir = path.join(cache, `charts-${count}`);
  if (!fs.existsSync(path.join(dir, '.done.json'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    await drawCharts(dir, count, 0);
    fs.writeFileSync(path.join(dir, '.done.json'), '{}');
  }
  return { name: 'charts', origin: `charts drawn by research/report/plot.ts (seed 0, ${count})`, licence: 'this project', files: imagesUnder(dir) };
}
