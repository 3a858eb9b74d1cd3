/**
 * `altbridge shapes levers`: where capacity pays. Each lever (lever-list.ts) is a ShapesWorld recipe built from
 * its own data options; each is scored on the validation split (the held-out images stay for the report) on
 * the oracle row (the decoder fed each caption's own text embedding: what the CLIP and the decoder
 * keep of a scene) and on Diffusion Bridge (bridged images), with the shape, binding and count error rates
 * of both and the CLIP's image -> text R@1. Levers with the same CLIP recipe share one trained CLIP;
 * every stage and every finished lever is kept, so a stopped run resumes where it stopped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LAB_BUNDLE, loadBundle } from '../../worker/bundle/load';
import { BRIDGE_DEFAULTS } from '../../worker/diffusion';
import { CaptionScores } from '../../worker/metrics';
import { Progress } from '../../worker/train/trainer';
import { shapesSplit } from '../eval/references';
import { cosine, EvalSet, Harness, retrieval } from '../eval/harness';
import { digest } from '../stage-stamp';
import { stageTimes } from '../stage-times';
import { buildShapes, builtWith, ShapesBuild, shapesData, splitPairs } from './build';
import { ShapesItem } from './data';
import { ErrorSummary, isFalse, summariseErrors } from './errors';
import { withHardNegatives } from './hard-negatives';
import { namingCaptions, Probed, probeScenes } from './probe';
import { ZERO_SHOT_PROMPTS, zeroShot, ZeroShot } from './zero-shot';
import { COMMITTED, Lever, LEVERS } from './lever-list';

/** One row's captions scored: against the references, and against the scenes (share of captions with no false claim). */
export interface Scored {
  scores: CaptionScores;
  shape: ErrorSummary;
  binding: ErrorSummary;
  count: ErrorSummary;
  clean: number;
}

export interface LeverResult {
  name: string;
  change: string;
  recipe: ShapesBuild;
  /** The scored bundle's createdAt, and the beam: a result stands only for the same ones. */
  bundle: string;
  beam: number;
  /** Minutes the lever's CLIP stage took when it was trained (null for a lever scoring a given bundle). */
  clipMinutes: number | null;
  /** The CLIP's training loss over its last 100 steps (null for a lever scoring a given bundle): how far from fitting its pairs it stopped. */
  clipLoss: number | null;
  recallAt1: number;
  /** Share of validation references the CLIP puts nearer their image than their false twin (a colour, shape, count or the background changed): whether it encodes the facts captions state. */
  twinWins: number;
  /** Zero-shot shape and colour of the validation split's one-object scenes: whether the image tower sees them. */
  zeroShot: ZeroShot;
  /** Linear probes of each tower, fitted on the CLIP's training pairs, scored on the validation split. */
  probe: Probed;
  oracle: Scored;
  bridge: Scored & { m: number };
}

/** The CLIP-deciding part of a recipe: levers that agree on it share a work folder and so one CLIP. */
const clipKey = (r: ShapesBuild) =>
  digest([
    r.seed,
    r.data,
    r.val,
    r.clipSteps,
    r.clip ?? null,
    !!r.hardNegatives,
    ...(r.lookalikes ? ['lookalikes'] : []),
    ...(r.clipLr ? [['lr', r.clipLr]] : []),
    ...(r.attributes ? [['attributes', r.attributes]] : []),
    ...(r.statedAttributes ? ['stated'] : []),
    ...(r.textHead ? ['text-head'] : []),
    ...(r.statedWeight ? [['stated-weight', r.statedWeight]] : []),
  ]).slice(0, 12);

export interface LeverOptions {
  work: string;
  beam: number;
  command: string;
  /** Only these levers (all when absent). */
  only?: string[];
  /** The bundle whose CLIP the committedClip levers copy (the committed one when absent). */
  committed?: string;
  onStage?: (stage: string, detail: string) => void;
  onProgress?: (stage: string, p: Progress) => void;
}

/** Mean training loss of the last 100 steps of the CLIP trained in `work` (the trainer's loss.jsonl). */
function clipFinalLoss(work: string): number {
  const steps = fs
    .readFileSync(path.join(work, 'runs', 'clip', 'loss.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .slice(-100)
    .map((l) => (JSON.parse(l) as { loss: number }).loss);
  return steps.reduce((a, b) => a + b, 0) / steps.length;
}

const resultFile = (lever: Lever, work: string) => path.join(work, lever.name, 'result.json');
const bundleOf = (lever: Lever, work: string) => lever.bundle ?? path.join(work, lever.name, 'bundle');

/** A lever's stored result when it still stands: same recipe and beam, and the very bundle it scored. */
function finished(lever: Lever, o: Pick<LeverOptions, 'work' | 'beam'>): LeverResult | null {
  const file = resultFile(lever, o.work);
  const manifest = path.join(bundleOf(lever, o.work), 'manifest.json');
  if (!fs.existsSync(file) || !fs.existsSync(manifest)) return null;
  const done = JSON.parse(fs.readFileSync(file, 'utf8')) as LeverResult;
  const created = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { createdAt: string }).createdAt;
  // A result from before the shape, zero-shot or probe columns, or bridged at another depth, is scored again (its bundle is kept).
  return JSON.stringify(done.recipe) === JSON.stringify(lever.recipe) &&
    done.beam === o.beam &&
    done.bundle === created &&
    !!done.oracle.shape &&
    !!done.zeroShot &&
    done.probe?.image.binding !== undefined &&
    done.bridge.m === BRIDGE_DEFAULTS.defaultM
    ? done
    : null;
}

/** Links `link` to `target` (relatively, so the work folder can move) unless something is there. */
function linkOnce(target: string, link: string): void {
  try {
    fs.lstatSync(link);
  } catch {
    fs.symlinkSync(path.relative(path.dirname(link), target), link);
  }
}

/** Share of the set's references nearer their image, in CLIP space, than their false twin. */
async function twinWins(h: Harness, set: EvalSet, items: ShapesItem[], seed: number): Promise<number> {
  const twins = await h.texts(withHardNegatives(items, seed).flatMap((p) => p.negatives!.slice(0, set.refs)));
  let wins = 0;
  for (let j = 0; j < twins.length / h.dim; j++) {
    const i = Math.floor(j / set.refs);
    if (cosine(set.image, i, set.text, j, h.dim) > cosine(set.image, i, twins, j, h.dim)) wins++;
  }
  return wins / (twins.length / h.dim);
}

/** Both towers probed: fitted on the CLIP's training pairs, scored on the validation pairs (whose image rows are given). */
async function probeTowers(h: Harness, train: ShapesItem[], val: ShapesItem[], seed: number, valImages: Float32Array): Promise<Probed> {
  const scenes = (items: ShapesItem[]) => items.map((it) => it.scene);
  const captions = async (items: ShapesItem[], part: number) => h.texts(namingCaptions(scenes(items), seed, part));
  return {
    image: probeScenes({ scenes: scenes(train), rows: await h.images(train.map((it) => it.image)) }, { scenes: scenes(val), rows: valImages }, h.dim),
    caption: probeScenes({ scenes: scenes(train), rows: await captions(train, 0) }, { scenes: scenes(val), rows: await captions(val, 1) }, h.dim),
  };
}

/** Builds and scores one lever, or reads its result when a run already did. */
async function measureLever(lever: Lever, o: LeverOptions): Promise<LeverResult> {
  const done = finished(lever, o);
  if (done) return done;
  const dir = path.join(o.work, lever.name);
  const committed = o.committed ?? COMMITTED;
  if (lever.committedClip && clipKey((builtWith(committed) ?? {}) as ShapesBuild) !== clipKey(lever.recipe)) {
    throw new Error(`shapes levers: ${lever.name} takes the CLIP of ${committed}, whose recorded recipe trains another CLIP`);
  }
  const clipFrom = lever.committedClip ? committed : undefined;
  // Its own folder for the committed CLIP, so that a CLIP trained here is never taken for it.
  const work = path.join(o.work, `clip-${clipFrom ? 'committed-' : ''}${clipKey(lever.recipe)}`);
  // One data set for all levers with the same data options, made by the first of them.
  const data = await shapesData(path.resolve(o.work, `data-${digest(lever.recipe.data).slice(0, 12)}`), lever.recipe.data);
  fs.mkdirSync(work, { recursive: true });
  linkOnce(data, path.join(work, 'data'));
  const out = bundleOf(lever, o.work);
  // A lever's own bundle is scratch: one of an earlier recipe of the lever goes (a named bundle is never touched).
  const before = lever.bundle ? null : builtWith(out);
  if (before && JSON.stringify(before) !== JSON.stringify(lever.recipe)) fs.rmSync(out, { recursive: true });
  o.onStage?.('lever', `${lever.name}: ${lever.change}`);
  const { dataDir } = await buildShapes(lever.recipe, {
    work,
    out,
    captionerRuns: path.join(dir, 'runs'),
    clipFrom,
    name: LAB_BUNDLE,
    version: '1.0.0',
    command: o.command,
    onStage: o.onStage,
    onProgress: o.onProgress,
  });
  const bundle = loadBundle(out);
  const h = await Harness.open(bundle, path.join(o.work, 'cache'));
  try {
    o.onStage?.('score', `${lever.name}: oracle and Diffusion Bridge on the validation split`);
    const set = await h.evalSet(shapesSplit(dataDir, 'val', lever.recipe.val));
    const { train, val } = splitPairs(dataDir, lever.recipe.val);
    const scenes = val.map((it) => it.scene);
    // The paper's depth for every lever, not the bundle's own (the committed one ships the depth its sweep chose
    // for fewer false claims): rows compare recipes, so they are bridged alike.
    const m = BRIDGE_DEFAULTS.defaultM;
    const s = bundle.manifest.diffusion.ddimSteps;
    const scored = async (conds: Float32Array): Promise<Scored> => {
      const r = await h.caption(bundle.decoder, conds, set, o.beam);
      const e = summariseErrors(r.captions.map((caption, i) => ({ caption, scene: scenes[i] })));
      const clean = r.captions.filter((c, i) => !isFalse(c, scenes[i])).length / r.captions.length;
      return { scores: r.scores, shape: e.shape, binding: e.binding, count: e.count, clean };
    };
    const result: LeverResult = {
      name: lever.name,
      change: lever.change,
      recipe: lever.recipe,
      bundle: bundle.manifest.createdAt,
      beam: o.beam,
      clipMinutes: lever.bundle || clipFrom ? null : stageTimes(work).clip / 60,
      clipLoss: lever.bundle || clipFrom ? null : clipFinalLoss(work),
      recallAt1: retrieval(set, h.dim, [1]).imageToText[1],
      twinWins: await twinWins(h, set, val, lever.recipe.seed),
      zeroShot: zeroShot(val, set.image, await h.texts(ZERO_SHOT_PROMPTS), h.dim),
      probe: await probeTowers(h, train, val, lever.recipe.seed, set.image),
      oracle: await scored(await h.textZ(set, 0)),
      bridge: { ...(await scored(await h.bridged(set, m, s))), m },
    };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(resultFile(lever, o.work), JSON.stringify(result, null, 1) + '\n');
    return result;
  } finally {
    await h.close();
  }
}

/** Builds and scores `levers` (LEVERS by default) in order, skipping those a run already finished. */
export async function measureLevers(o: LeverOptions, levers: Lever[] = LEVERS): Promise<LeverResult[]> {
  const unknown = (o.only ?? []).filter((n) => !levers.some((l) => l.name === n));
  if (unknown.length) throw new Error(`shapes levers: no lever named ${unknown.join(', ')} (levers: ${levers.map((l) => l.name).join(', ')})`);
  const out: LeverResult[] = [];
  for (const lever of levers) if (!o.only || o.only.includes(lever.name)) out.push(await measureLever(lever, o));
  return out;
}
