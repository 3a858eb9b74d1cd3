/**
 * The ArtWorld pipeline from nothing to the `art-mini` bundle: the pinned sources fetched and
 * rendered (data set), a mini-CLIP on the training styles and the clip art's training slice, ē_img
 * and the domain data from those images, then the denoiser and decoder trained on the names alone.
 * Every stage keeps its output in `work`, so a rerun skips what is done and a stopped one resumes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadBundle, loadClip } from '../../worker/bundle/load';
import { Manifest } from '../../worker/bundle/manifest';
import { updateBundle } from '../../worker/bundle/write';
import { CorpusOptions } from '../../worker/corpus/read';
import { DecoderConfig } from '../../worker/graph/decoder';
import { CAPTION_DEFAULTS } from '../../worker/caption';
import { BuildRun, captionerStage } from '../captioner-stage';
import { MiniClipConfig, miniClipStage } from '../mini-clip';
import { timed } from '../stage-times';
import { ART_DATA_FORMAT, ArtDataSummary, ArtOptions, readArtPart, writeArtData } from './dataset';
import { OodSource } from '../trust/sources';
import { fetchArtSources } from './sources';
import { calibrateArt, chooseM, M_SWEEP, outOfDomain } from './tune';

export interface ArtBuild {
  seed: number;
  data: ArtOptions;
  clip: MiniClipConfig;
  clipSteps: number;
  denoiserSteps: number;
  decoderSteps: number;
  draws: number;
  decoder: Partial<DecoderConfig>;
}

/** The committed default bundle's recipe. */
export const ART_MINI: ArtBuild = {
  seed: 0,
  data: { seed: 0, size: 48, valShare: 0.1, clipartHeldOutShare: 0.1, variants: ['grey', 'outline', 'jitter'] },
  clip: {
    vision: { imageSize: 48, patch: 12, width: 128, layers: 3, heads: 4, mlpRatio: 4, embedDim: 128 },
    text: { contextLength: 24, width: 128, layers: 2, heads: 4, mlpRatio: 4, embedDim: 128 },
    vocabSize: 4000,
    fit: 'trim',
  },
  clipSteps: 5000,
  denoiserSteps: 4000,
  decoderSteps: 4000,
  draws: 4,
  decoder: { width: 128, layers: 2, heads: 4, prefixTokens: 4, prefixHidden: 128, softPrompts: 2 },
};

/** Names are one to a dozen words, and every one of them is a caption to learn: none held out. */
export const ART_CORPUS: CorpusOptions = { minWords: 1, maxWords: 12, heldOut: 0 };

/** Out-of-domain images per source in the calibration (half fit it). */
const OOD_PER_SOURCE = 100;

export const ART_DOMAIN = { description: 'emoji, icons and clip art (flat illustrations on a plain background)' };

export interface ArtBuildOptions extends BuildRun {
  /** Fetched sources and their unpacked copies; shared between work folders. */
  cache: string;
  /** Unpacked sources to use instead of fetching (the test fixture). */
  sources?: string;
  /** Out-of-domain images for the calibration instead of the default ones (which need Debian's archive). */
  ood?: OodSource[];
}

/** The data set in `work/data`, made once for these options (renderings resume). */
export async function artData(b: ArtBuild, o: ArtBuildOptions): Promise<{ dir: string; summary: ArtDataSummary }> {
  const dir = path.join(o.work, 'data');
  const stamp = path.join(dir, 'options.json');
  const want = JSON.stringify({ ...b.data, sources: o.sources ?? 'pinned', format: ART_DATA_FORMAT });
  const summaryFile = path.join(dir, 'summary.json');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want && fs.existsSync(summaryFile)) return { dir, summary: JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as ArtDataSummary };
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') !== want) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(stamp, want);
  const src = o.sources ?? (await fetchArtSources(o.cache, (s, state) => o.onStage?.('data', `${s.name} ${s.version}: ${state}`)));
  const summary = await writeArtData(src, dir, b.data, (what) => o.onStage?.('data', what));
  return { dir, summary };
}

/** What a finished bundle records of how it was made: the recipe, and the data format its images were rendered in. */
const recipeOf = (b: ArtBuild) => ({ art: b, artData: ART_DATA_FORMAT });

export async function buildArt(b: ArtBuild, o: ArtBuildOptions): Promise<{ manifest: Manifest; dataDir: string }> {
  const stage = (s: string, d: string) => o.onStage?.(s, d);
  const file = path.join(o.out, 'manifest.json');
  const done = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest).provenance.recipe : undefined;
  if (done) {
    if (JSON.stringify(done) === JSON.stringify(recipeOf(b))) return { manifest: loadBundle(o.out).manifest, dataDir: path.join(o.work, 'data') };
    throw new Error(`art build: ${o.out} holds a bundle of another recipe or data format; choose another --out (bundles are never overwritten)`);
  }
  const { dir } = await timed(o.work, 'data', () => artData(b, o));
  const train = readArtPart(dir, 'clip');

  const clipDir = await miniClipStage(
    train.map((t) => ({ image: t.image, captions: t.texts })),
    {
      work: o.work,
      config: b.clip,
      corpus: 'ArtWorld images (emoji in the training styles and clip art) with their names',
      domain: ART_DOMAIN,
      seed: b.seed,
      steps: b.clipSteps,
      name: `${o.name}-clip`,
      version: o.version,
      command: o.command,
      onStage: o.onStage,
      onProgress: o.onProgress,
      signal: o.signal,
    },
  );
  await captionerStage(loadClip(clipDir), path.join(dir, 'corpus.txt'), b, o, ART_CORPUS);
  const val = readArtPart(dir, 'val');
  stage('choose-m', `bridging depths ${M_SWEEP.join(', ')} on ${val.length} validation images`);
  const m = await timed(o.work, 'choose-m', () => chooseM(o.out, val, CAPTION_DEFAULTS.beam));
  stage('calibrate', `quality estimate on the validation images and ${OOD_PER_SOURCE} out-of-domain images per source`);
  const cal = await timed(o.work, 'calibrate', async () => calibrateArt(o.out, val, o.ood ?? (await outOfDomain(path.join(o.cache, 'ood'), OOD_PER_SOURCE)), CAPTION_DEFAULTS.beam, o.command));
  // The recipe goes in last: a bundle that records it is finished.
  const current = loadBundle(o.out).manifest;
  const notes = `M = ${m.m} chosen on the validation split (CIDEr-D: ${m.rows.map((r) => `M ${r.m} ${r.scores.cider.toFixed(1)}`).join(', ')}); publishing threshold ${cal.calibration.threshold.toFixed(3)}`;
  const provenance = { ...current.provenance, notes: [current.provenance.notes, notes].filter(Boolean).join('; '), recipe: recipeOf(b) };
  const manifest = updateBundle(o.out, {}, { provenance }) as Manifest;
  return { manifest, dataDir: dir };
}
