/**
 * LEVERS.md and levers.json: the record of every lever measured so far, and its table.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BRIDGE_DEFAULTS } from '../../worker/diffusion';
import { ShapesBuild } from './build';
import { Probed, ProbeScores } from './probe';
import { ZeroShot } from './zero-shot';
import { LeverResult, Scored } from './levers';
import { Lever, LEVERS } from './lever-list';

/** What one row of LEVERS.md shows, as levers.json beside it records it. */
export interface LeverRow {
  name: string;
  change: string;
  recipe: ShapesBuild;
  beam: number;
  clipMinutes: number | null;
  clipLoss: number | null;
  recallAt1: number;
  /** null: measured before the twin test existed. */
  twinWins: number | null;
  /** Absent: measured before the zero-shot columns. */
  zeroShot?: ZeroShot;
  /** Absent: measured before the probe columns. */
  probe?: Probed;
  oracle: RowScores;
  bridge: RowScores;
}

/** CIDEr-D, shape, binding and count error rates and the share of captions with no false claim. */
interface RowScores {
  /** The bridging depth (bridge rows; absent in rows recorded before it was). */
  m?: number;
  ciderD: number;
  /** null (absent in older records): measured before this column. */
  shape?: number | null;
  binding: number;
  count: number;
  clean: number;
}

const rowScores = (s: Scored): RowScores => ({ ciderD: s.scores.ciderD, shape: s.shape.rate, binding: s.binding.rate, count: s.count.rate, clean: s.clean });

const rowOf = (r: LeverResult): LeverRow => ({
  name: r.name,
  change: r.change,
  recipe: r.recipe,
  beam: r.beam,
  clipMinutes: r.clipMinutes,
  clipLoss: r.clipLoss,
  recallAt1: r.recallAt1,
  twinWins: r.twinWins,
  zeroShot: r.zeroShot,
  probe: r.probe,
  oracle: rowScores(r.oracle),
  bridge: { ...rowScores(r.bridge), m: r.bridge.m },
});

/**
 * The record in `dir`/levers.json with `results` entered: each replaces its lever's row. The
 * record outlives the work folders (whose bundles are scratch), so LEVERS.md keeps every lever
 * measured so far; a row goes when its lever is gone, its recipe changed or it was scored with
 * another beam. Returns the rows in the levers' order.
 */
export function recordLevers(dir: string, results: LeverResult[], beam: number, levers: Lever[] = LEVERS): LeverRow[] {
  const file = path.join(dir, 'levers.json');
  const rows = new Map<string, LeverRow>();
  if (fs.existsSync(file)) for (const r of JSON.parse(fs.readFileSync(file, 'utf8')) as LeverRow[]) rows.set(r.name, r);
  for (const r of results) rows.set(r.name, rowOf(r));
  const out = levers.flatMap((l) => {
    const r = rows.get(l.name);
    return r && r.beam === beam && JSON.stringify(r.recipe) === JSON.stringify(l.recipe) ? [{ ...r, change: l.change }] : [];
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  return out;
}

const pct = (rate: number) => `${(100 * rate).toFixed(1)}%`;
/** A figure measured after some rows were (or one with nothing to measure: no one-object scene): – in the rows measured before. */
const orDash = (rate: number | null | undefined) => (rate === null || rate === undefined || Number.isNaN(rate) ? '–' : pct(rate));

/** A probe's AUROCs as "shape / colour / binding"; – where the row predates the probe or a split lacks the facts. */
const probed = (p: ProbeScores | undefined) => (p ? [p.shape, p.colour, p.binding].map((v) => (v === undefined || v === null || Number.isNaN(v) ? '–' : v.toFixed(2))).join(' / ') : '–');

/** What two builds of the shipped recipe (the base row, the committed bundle, and the lever of the same recipe) say of run-to-run spread. */
function spread(rs: LeverRow[]): string {
  const base = rs.find((r) => r.name === 'base');
  const twin = base && rs.find((r) => r !== base && JSON.stringify(r.recipe) === JSON.stringify(base.recipe));
  if (!base || !twin) return '';
  // The committed bundle was built as that lever: the same build twice measures no spread.
  if (JSON.stringify([base.oracle, base.bridge]) === JSON.stringify([twin.oracle, twin.bridge]))
    return ` The base and ${twin.name} rows score one build (the committed bundle is that lever's), so no row measures run-to-run spread: a gap of a few points between rows need not be a finding.`;
  const [a, b] = [base, twin].map((r) => (100 * r.bridge.ciderD).toFixed(1));
  return ` Two builds of one recipe need not agree: the base and ${twin.name} rows are one recipe built in different runs, at ${a} and ${b} bridge CIDEr-D, so a gap of that size between rows is not a finding.`;
}

/** The levers table in Markdown, every figure from the results given. */
export function renderLevers(rs: LeverRow[], command: string): string {
  const rows = rs.map((r) =>
    [
      r.name,
      r.change,
      r.clipLoss === null ? 'committed' : r.clipLoss.toFixed(2),
      r.recallAt1.toFixed(3),
      orDash(r.twinWins),
      orDash(r.zeroShot?.shape),
      orDash(r.zeroShot?.colour),
      probed(r.probe?.image),
      probed(r.probe?.caption),
      (100 * r.oracle.ciderD).toFixed(1),
      orDash(r.oracle.shape),
      pct(r.oracle.binding),
      pct(r.oracle.count),
      pct(r.oracle.clean),
      (100 * r.bridge.ciderD).toFixed(1),
      orDash(r.bridge.shape),
      pct(r.bridge.binding),
      pct(r.bridge.count),
      pct(r.bridge.clean),
      r.clipMinutes === null ? 'committed' : r.clipMinutes.toFixed(1),
    ].join(' | '),
  );
  return [
    '# ShapesWorld levers: where capacity pays',
    '',
    `Generated by \`${command}\`. Figures of every lever measured so far (levers.json records them; a run adds or replaces rows). Every lever is built from its recipe's data (seed ${rs[0]?.recipe.seed}; levers with the same data options share one data set) and scored on its validation split (the last ${rs[0]?.recipe.val} pairs, which the CLIP never trained on; the held-out images stay for REPORT.md). "oracle": the decoder fed each image's first reference's own text embedding, what the CLIP and decoder keep of a scene before any bridging; "bridge": Diffusion Bridge on the image at the paper's M = ${BRIDGE_DEFAULTS.defaultM} for every lever, the committed bundle too (it ships the depth its validation sweep chose for fewer false claims, where REPORT.md scores it), so that rows compare recipes at one depth; rows recorded without their depth (levers.json) were bridged at their bundle's, which was this one for every lever built here.${spread(rs)} Shape, binding and count: share of such claims that are false (research/shapes/errors.ts); shape – for levers measured before that column. CLIP loss: symmetric InfoNCE (with hard negatives, image → text over twice the texts), ln 128 = 4.85 at chance, 0 for pairs told apart with certainty; with an attribute head it includes the head's weighted cross-entropy (of the captions' stated facts too, where the recipe asks), so such rows compare with each other only. True over twin: share of validation references the CLIP puts nearer their image than a false twin (one colour, shape, count or the background changed; 50 % is chance), whether it encodes what captions state; – for levers measured before this column. Zero-shot shape and colour: share of the validation split's one-object scenes whose image is nearest "a {colour} {shape}." with the true shape among the six (its colour given; chance 16.7 %) and with the true colour among the eight (its shape given; chance 12.5 %): whether the image tower sees the attribute at all (research/shapes/zero-shot.ts); – for levers measured before these columns. Probe AUROC, shape / colour / binding: a logistic regression per shape (and per colour) present, fitted on the CLIP's training pairs and scored on the validation split, from the image embedding, and from the embedding of a caption naming every object with its colour; the mean AUROC over the six shapes and over the colours (0.5: the embedding holds nothing of it), each tower asked alone (research/shapes/probe.ts); binding: a probe per colour–shape pair on the two-object scenes of two colours and two shapes that hold that colour and that shape, where a bag of colours and shapes is the same whichever object has which (0.5), its AUROC pooled over the pairs; – for levers measured before these columns. CLIP stage minutes: training the mini-CLIP and its ē_img, the last time that stage ran (shared by levers with the same CLIP). CLIP loss and minutes "committed": the committed bundle's CLIP, scored as shipped or, for a lever that changes only the captioner, copied instead of trained again.`,
    '',
    '| lever | change | CLIP loss, last 100 steps | CLIP R@1 (image → text) | CLIP true over twin | CLIP zero-shot shape | CLIP zero-shot colour | image probe AUROC, shape / colour / binding | caption probe AUROC, shape / colour / binding | oracle CIDEr-D | oracle shape wrong | oracle binding wrong | oracle count wrong | oracle captions with no false claim | bridge CIDEr-D | bridge shape wrong | bridge binding wrong | bridge count wrong | bridge captions with no false claim | CLIP stage minutes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}
