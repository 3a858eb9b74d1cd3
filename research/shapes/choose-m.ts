/**
 * The bridging depth a ShapesWorld bundle ships with, chosen on its validation split by what alt
 * text needs: the share of captions that make no false claim (the claim checker can tell), CIDEr-D
 * only between depths that share cannot tell apart. A calibration fitted before goes (it was fitted
 * at another M), so the next one fits the captions of the chosen M. The sweep's figures go into the
 * provenance note that also marks the choice done.
 */
import { loadBundle } from '../../worker/bundle/load';
import { editManifest } from '../../worker/bundle/write';
import { scoreCaptions } from '../../worker/metrics';
import { captionsByDepth } from '../depth-sweep';
import { ShapesItem } from './data';
import { isFalse } from './errors';

/** The depths tried: from no bridging to deeper than the paper's 600. */
export const M_CHOICES = [0, 100, 200, 300, 400, 600, 800];
/** How the provenance line recording the choice begins. */
export const M_CHOICE_NOTE = 'bridging depth chosen on the validation split';

export interface MRow {
  m: number;
  /** Share of captions with no false claim. */
  clean: number;
  ciderD: number;
}

/** Whether the bundle in `dir` has had its M chosen. */
export const mChosen = (dir: string): boolean => loadBundle(dir).manifest.provenance.commands.some((c) => c.startsWith(M_CHOICE_NOTE));

/**
 * The best row of a sweep over `n` images: of the depths whose share of captions with no false claim
 * is not told apart from the highest (within two standard errors of their difference, about 95 %),
 * the one with the highest CIDEr-D. The depths caption the same images, so their shares are not
 * independent and the margin is wider than a paired test's: it errs towards CIDEr-D. At a few
 * hundred images and shares near 10 %, a lead of a few captions is noise, and choosing by it
 * picked depths that did no better on held-out images.
 */
export function bestM(rows: MRow[], n: number): MRow {
  const top = rows.reduce((a, r) => (r.clean > a.clean ? r : a));
  const tied = rows.filter((r) => top.clean - r.clean <= 2 * Math.sqrt((top.clean * (1 - top.clean) + r.clean * (1 - r.clean)) / Math.max(n, 1)));
  return tied.reduce((a, r) => (r.ciderD > a.ciderD ? r : a), top);
}

/** Sweeps M_CHOICES on `val` with the product's captioner and writes the best as the bundle's default M. */
export async function chooseShapesM(dir: string, val: ShapesItem[], beam: number): Promise<{ m: number; rows: MRow[] }> {
  const sweep = await captionsByDepth(
    dir,
    val.map((v) => v.image),
    M_CHOICES,
    beam,
  );
  const rows: MRow[] = sweep.map(({ m, captions }) => ({
    m,
    clean: captions.filter((c, i) => c !== '' && !isFalse(c, val[i].scene)).length / val.length,
    ciderD: scoreCaptions(
      captions,
      val.map((v) => v.captions),
    ).ciderD,
  }));
  const best = bestM(rows, val.length);
  const figures = rows.map((r) => `M ${r.m}: ${(100 * r.clean).toFixed(1)} % with no false claim, CIDEr-D ${(100 * r.ciderD).toFixed(1)}`).join('; ');
  const note = `${M_CHOICE_NOTE} (${val.length} images, beam ${beam}): M = ${best.m}, the highest CIDEr-D of the depths whose share with no false claim is within two standard errors of the best (${figures})`;
  editManifest(dir, (raw) => {
    raw.diffusion = { ...(raw.diffusion as object), defaultM: best.m };
    raw.provenance.commands = [...raw.provenance.commands, note];
    delete raw.quality;
  });
  return { m: best.m, rows };
}
