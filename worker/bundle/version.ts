/** Bundle versions: the next one after a base, skipping versions already installed. */
import { listBundles } from './load';

/** 1.2.3 -> 1.2.4 (the last number is bumped); anything else gets ".1" appended. */
export function bumpVersion(version: string): string {
  const m = /^(.*\.)(\d+)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${version}.1`;
}

/** The first bump of `from` that no installed bundle called `name` in `dir` has. */
export function nextVersion(name: string, from: string, dir?: string): string {
  const taken = new Set(listBundles(dir).filter((b) => b.name === name).map((b) => b.version));
  let v = bumpVersion(from);
  while (taken.has(v)) v = bumpVersion(v);
  return v;
}
