/**
 * Installed model bundles: which can caption, every version with its provenance, and the switch of
 * the active one (activation after fine-tuning, or a rollback): one settings write, after which the
 * worker opens the new bundle before closing the old, between jobs. Old versions stay installed.
 */
import type { Core } from '@strapi/strapi';
import * as fs from 'fs';
import * as path from 'path';
import { listBundles, resolveBundle } from '../../../worker/bundle/load';
import type { Manifest } from '../../../worker/bundle/manifest';
import { parseBundleRef } from '../../../worker/bundle/names';
import { Activation, BundleDomain, BundleVersion } from '../contracts';
import { InvalidInput } from '../errors';
import { checked } from '../input';
import { bundleDomain } from '../policy';
import { getService } from '../utils';

const newestFirst = (a: string, b: string) => b.localeCompare(a, undefined, { numeric: true });

/** Bundles that can caption (not CLIP-only) and have no problem, as name@version. */
function usable(): string[] {
  return listBundles()
    .filter((b) => b.captions && !b.problem)
    .map((b) => `${b.name}@${b.version}`);
}

/** The provenance note in a bundle's manifest, if any (listBundles reports an unreadable manifest). */
function notesOf(dir: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { provenance?: { notes?: string } }).provenance?.notes ?? null;
  } catch {
    return null;
  }
}

/** The bundle's domain and quality threshold, from its manifest (policy.ts says what an unreadable one counts as). */
function domainOf(ref: string): BundleDomain {
  let manifest: Manifest | null;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(resolveBundle(ref), 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    manifest = null;
  }
  return bundleDomain(ref, manifest);
}

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  usable,
  domainOf,

  /** name@version for a configured bundle: as given when it names a version, else the newest usable one installed. */
  resolve(ref: string): string {
    if (ref.includes('@')) return ref;
    return (
      usable()
        .filter((b) => b.startsWith(`${ref}@`))
        .sort(newestFirst)[0] ?? ref
    );
  },

  /** Every installed version, by name then newest first, the active one marked. */
  async versions(): Promise<BundleVersion[]> {
    const active = (await getService(strapi, 'settings').get()).bundle;
    return listBundles()
      .map((b) => {
        const ref = `${b.name}@${b.version}`;
        return { ref, name: b.name, version: b.version, createdAt: b.createdAt, captions: b.captions, problem: b.problem, notes: notesOf(b.dir), active: ref === active };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || newestFirst(a.version, b.version));
  },

  /** Makes `ref` the active bundle (switch or roll back); the settings check it can caption. */
  async activate(ref: unknown): Promise<Activation> {
    if (typeof ref !== 'string' || !ref.includes('@')) throw new InvalidInput('bundle must be name@version');
    checked(() => parseBundleRef(ref));
    const settings = getService(strapi, 'settings');
    const previous = (await settings.get()).bundle;
    await settings.set({ bundle: ref });
    return { bundle: ref, previous };
  },
});
