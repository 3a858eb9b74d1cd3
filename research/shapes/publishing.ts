/**
 * The bundle a ShapesWorld report builds is the bundle that ships, so the report completes it as
 * shipped (its default M, the corpus matrix behind each caption's nearestCaption, then the quality
 * calibration of `trust calibrate`) and states what its default threshold T would publish of the held-out images,
 * and how much of that makes no false claim.
 */
import * as path from 'path';
import { loadBundle, sha256File } from '../../worker/bundle/load';
import { cacheDir } from '../../worker/cache-dir';
import { CAPTION_DEFAULTS, Captioner, isFailure } from '../../worker/caption';
import { addCorpus } from '../../worker/nearest-caption';
import { runtimeConfig } from '../../worker/runtime';
import { TRUST_DEFAULTS, trustReport } from '../trust/report';
import { ShapesBuild, splitPairs } from './build';
import { chooseShapesM, M_CHOICES, mChosen } from './choose-m';
import { ShapesItem } from './data';
import { isFalse } from './errors';

/** What T publishes of a set of images (a demonstration bundle publishes only where an admin allows demonstrations). */
export interface Publishing {
  /** The bundle's own M, which the product captions at unless an admin sets another. */
  m: number;
  threshold: number;
  captions: number;
  /** Captions of images whose domain verdict is 'out': never published. */
  outOfDomain: number;
  /** Published: quality ≥ T and not out of domain. */
  written: number;
  /** Of those, captions that make no false claim. */
  writtenClean: number;
  /** Captions with no false claim among all. */
  clean: number;
}

/**
 * Adds what the bundle in `dir`, built from `recipe` with its data in `dataDir`, lacks of its
 * shipped settings: the default M (chosen on the validation split), the corpus matrix and the
 * quality calibration, in that order, since the calibration fits the captions of that M.
 */
export async function completeBundle(dir: string, dataDir: string, recipe: ShapesBuild, command: string, log: (line: string) => void = () => undefined): Promise<void> {
  if (!mChosen(dir)) {
    log(`choosing M on the validation split (${M_CHOICES.join(', ')})`);
    const { m, rows } = await chooseShapesM(dir, splitPairs(dataDir, recipe.val).val, CAPTION_DEFAULTS.beam);
    log(`M = ${m}: ${rows.map((r) => `${r.m} ${(100 * r.clean).toFixed(1)} %`).join(', ')} with no false claim`);
  }
  const corpus = path.join(dataDir, 'texts.txt');
  if (!loadBundle(dir).corpus) await addCorpus(dir, corpus, { command, sha256: sha256File(corpus) });
  if (!loadBundle(dir).manifest.quality) await trustReport({ ...TRUST_DEFAULTS, bundle: dir, cache: cacheDir('trust'), out: null, writeBundle: true, command, log });
}

/** The product's captions of `items` with the bundle's defaults, counted against the bundle's T and checked against each scene. */
export async function publishing(dir: string, items: ShapesItem[], beam: number): Promise<Publishing> {
  const bundle = loadBundle(dir);
  const threshold = bundle.manifest.quality?.threshold;
  if (threshold === undefined) throw new Error(`publishing: ${dir} has no quality calibration`);
  const captioner = await Captioner.open(bundle, runtimeConfig());
  try {
    const results = await captioner.caption(
      items.map((i) => i.image),
      { beam },
    );
    const p: Publishing = { m: bundle.manifest.diffusion.defaultM, threshold, captions: items.length, outOfDomain: 0, written: 0, writtenClean: 0, clean: 0 };
    results.forEach((r, i) => {
      if (isFailure(r)) throw new Error(`publishing: ${r.file}: ${r.error}`);
      const clean = !isFalse(r.caption, items[i].scene);
      p.clean += clean ? 1 : 0;
      if (r.domain.verdict === 'out') p.outOfDomain++;
      else if (r.quality !== null && r.quality >= threshold) {
        p.written++;
        p.writtenClean += clean ? 1 : 0;
      }
    });
    return p;
  } finally {
    await captioner.close();
  }
}
