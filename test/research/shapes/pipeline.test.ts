/**
 * The ShapesWorld pipeline end to end on tiny settings: a CLIP trained contrastively really
 * learns (loss falls from ln(batch), retrieval beats chance); buildShapes makes a complete,
 * loadable bundle that records its recipe, skips all work when rerun, and keeps validation and
 * held-out data out of what was trained on; the data folder is made once per options.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { loadBundle, loadClip } from '../../../worker/bundle/load';
import { makeClipTokenizer, tokenizerJsonText } from '../../../worker/clip/make-tokenizer';
import { ClipTokenizer } from '../../../worker/clip/tokenizer';
import { imageEncoder, textEncoder, TextConfig, VisionConfig } from '../../../worker/graph/clip';
import { buildInference } from '../../../worker/graph/train-step';
import { buildShapes, shapesData, splitPairs } from '../../../research/shapes/build';
import { EvalSet, retrieval } from '../../../research/eval/harness';
import { generateShapes } from '../../../research/shapes/generate';
import { SCENE_ATTRIBUTES, STATED_ATTRIBUTES } from '../../../research/shapes/attributes';
import { buildMiniClip, loadPixels } from '../../../research/mini-clip';
import { readShapesPart, SHAPES_CLIP } from '../../../research/shapes/data';
import { CLIP_TRAINING, trainClip } from '../../../worker/train/clip';
import { tinyShapes } from '../../setup/tiny-shapes';

const made: string[] = [];
const tmp = () => {
  made.push(fs.mkdtempSync(path.join(os.tmpdir(), 'shapes-pipeline-')));
  return made[made.length - 1];
};
// Text-embedding caches of the builds go to a folder of this test's own.
const savedCache = process.env.ALTBRIDGE_CACHE;
beforeAll(() => (process.env.ALTBRIDGE_CACHE = tmp()));
afterAll(() => {
  if (savedCache === undefined) delete process.env.ALTBRIDGE_CACHE;
  else process.env.ALTBRIDGE_CACHE = savedCache;
  made.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());

describe('trainClip', () => {
  const VISION: VisionConfig = { imageSize: 32, patch: 8, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 };
  const N = 64;
  // The whole set in every batch: each step is an epoch (400 steps, about 10 s).
  const BATCH = 64;
  const STEPS = 400;

  test('learns: InfoNCE falls well below ln(batch) and image→text retrieval beats chance', async () => {
    const dir = tmp();
    await generateShapes(dir, { seed: 3, pairs: N, texts: 0, heldOut: 0, size: 32 });
    const items = readShapesPart(dir, 'pairs');
    const k = 5;
    const captions = items.flatMap((it) => it.captions);
    expect(captions).toHaveLength(N * k);
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), tokenizerJsonText(makeClipTokenizer(captions, { vocabSize: 700 })));
    const tok = ClipTokenizer.load(dir);
    const text: TextConfig & { length: number } = { vocab: tok.vocabSize, contextLength: 32, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16, length: 32 };
    const enc = tok.encode(captions, { maxLength: text.length });
    const pixels = await loadPixels(
      items.map((it) => it.image),
      VISION.imageSize,
    );

    const r = await trainClip({ pixels, ids: enc.ids, mask: enc.mask, k }, VISION, text, { steps: STEPS, batchSize: BATCH, lr: 3e-3, warmup: 10, seed: 0, weightDecay: 0.01 });
    expect(r.cancelled).toBe(false);
    const losses = r.history.map((h) => h.loss);
    expect(losses).toHaveLength(STEPS);
    expect(losses.every(Number.isFinite)).toBe(true);
    // An untrained CLIP is at chance: symmetric InfoNCE about ln(batch) (a little above, at the initial temperature 1/0.07).
    expect(Math.abs(losses[0] - Math.log(BATCH))).toBeLessThan(0.5);
    const tail = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(tail).toBeLessThan(0.6 * Math.log(BATCH));

    // Embeddings through the inference graphs a bundle would ship.
    const vision = await ort.InferenceSession.create(buildInference(imageEncoder(VISION), r.params));
    const textSess = await ort.InferenceSession.create(buildInference(textEncoder(text), r.params));
    const d = VISION.embedDim;
    const s = VISION.imageSize;
    const image = (await vision.run({ pixel_values: new ort.Tensor('float32', pixels, [N, 3, s, s]) })).image_embeds.data as Float32Array;
    const txt = (await textSess.run({ input_ids: new ort.Tensor('int64', enc.ids, [N * k, text.length]), attention_mask: new ort.Tensor('int64', enc.mask, [N * k, text.length]) })).text_embeds
      .data as Float32Array;
    expect(image).toHaveLength(N * d);
    expect(txt).toHaveLength(N * k * d);
    const set: EvalSet = { items: items.map((it) => ({ file: it.image, references: it.captions })), image: Float32Array.from(image), text: Float32Array.from(txt), refs: k };
    const rec = retrieval(set, d, [1, 5]);
    console.log(
      `trainClip: loss ${losses[0].toFixed(3)} -> ${tail.toFixed(3)}; image→text R@1 ${rec.imageToText[1].toFixed(3)} R@5 ${rec.imageToText[5].toFixed(3)}; text→image R@1 ${rec.textToImage[1].toFixed(3)}`,
    );
    // Chance: R@1 = 5 / 320 ≈ 0.016 (image→text), 1 / 64 (text→image); R@5 ≈ 0.08.
    expect(rec.imageToText[1]).toBeGreaterThan(0.15);
    expect(rec.imageToText[5]).toBeGreaterThan(0.35);
    expect(rec.textToImage[1]).toBeGreaterThan(0.15);
  });
});

describe('buildShapes', () => {
  // Built by the global setup (test/setup/global-setup.ts) with buildShapes, shared with other tests: read-only here.
  const tiny = tinyShapes();
  const { recipe, work, stages } = tiny;
  const out = tiny.bundle;
  const first = { dataDir: tiny.dataDir, manifest: loadBundle(out).manifest };

  test('makes a full bundle that loads, with ē_img, its recipe and the CLIP bundle in work/clip', () => {
    expect(stages).toEqual(expect.arrayContaining(['data', 'clip', 'images-mean', 'denoiser', 'decoder', 'write']));
    expect(first.dataDir).toBe(path.join(work, 'data'));
    const b = loadBundle(out);
    expect(b.manifest.name).toBe('tiny-shapes');
    expect(b.manifest.version).toBe('0.0.1');
    expect(b.imageMean).toBeDefined();
    expect(b.imageMean).toHaveLength(b.manifest.clip.embedDim);
    expect(Array.from(b.imageMean!).every(Number.isFinite)).toBe(true);
    expect(b.textMean).toHaveLength(b.manifest.clip.embedDim);
    expect(b.manifest.provenance.recipe?.shapes).toEqual(recipe);
    expect(first.manifest.provenance.recipe?.shapes).toEqual(recipe);
    expect(b.manifest.clip.imageSize).toBe(recipe.data.size);

    const clip = loadClip(path.join(work, 'clip'));
    expect(clip.manifest.clip.embedDim).toBe(b.manifest.clip.embedDim);
    expect(clip.imageMean).toBeDefined();
    // The captioner ships the very CLIP of work/clip.
    for (const f of [clip.manifest.clip.vision, clip.manifest.clip.text, clip.manifest.clip.tokenizer]) expect(sha(b.file(f))).toBe(sha(clip.file(f)));
    expect(fs.existsSync(path.join(work, 'clip.tmp'))).toBe(false);
  });

  test('a rerun with the same recipe returns the finished bundle without touching anything', async () => {
    const manifestFile = path.join(out, 'manifest.json');
    const before = { manifest: sha(manifestFile), createdAt: loadBundle(out).manifest.createdAt, clip: sha(path.join(work, 'clip', 'manifest.json')), mtime: fs.statSync(manifestFile).mtimeMs };
    const again: string[] = [];
    const r = await buildShapes(recipe, { work, out, name: tiny.name, version: tiny.version, command: tiny.command, onStage: (s) => again.push(s), onProgress: (s) => again.push(`progress ${s}`) });
    expect(again).toEqual([]);
    expect(r.dataDir).toBe(first.dataDir);
    expect(r.manifest.createdAt).toBe(before.createdAt);
    expect(sha(manifestFile)).toBe(before.manifest);
    expect(fs.statSync(manifestFile).mtimeMs).toBe(before.mtime);
    expect(sha(path.join(work, 'clip', 'manifest.json'))).toBe(before.clip);
  });

  test('a recipe whose data keeps apart another number of validation pairs than it holds out, or stated attributes without the head (or a text head or stated weight without them), is refused before any stage runs', async () => {
    const seen: string[] = [];
    const r = { ...recipe, data: { ...recipe.data, iid: { val: recipe.val + 1 } } };
    const run = { work: path.join(tmp(), 'work'), out: path.join(tmp(), 'bundle'), name: tiny.name, version: tiny.version, command: tiny.command, onStage: (s: string) => seen.push(s) };
    await expect(buildShapes(r, run)).rejects.toThrow(`the data keeps ${recipe.val + 1} validation pairs apart, the recipe holds out ${recipe.val}`);
    await expect(buildShapes({ ...recipe, attributes: undefined, statedAttributes: true }, run)).rejects.toThrow(
      'stated attributes are trained beside the attribute head, which needs an attribute weight',
    );
    await expect(buildShapes({ ...recipe, attributes: 0.5, statedAttributes: true, statedWeight: 0 }, run)).rejects.toThrow('a stated weight of 0 is not a positive number');
    await expect(buildShapes({ ...recipe, attributes: 0.5, textHead: true }, run)).rejects.toThrow('a text head or a stated weight is about stated attributes, which the recipe does not ask for');
    await expect(buildShapes({ ...recipe, attributes: 0.5, statedWeight: 2 }, run)).rejects.toThrow('which the recipe does not ask for');
    expect(seen).toEqual([]);
  });

  test("a rerun with a changed stage setting makes that stage again, never passing off the old one as the new recipe's", async () => {
    // A copy of the work folder (the original is shared), finished bundles elsewhere: bundles are never overwritten.
    const copy = path.join(tmp(), 'work');
    fs.cpSync(work, copy, { recursive: true });
    const clipManifest = () => loadClip(path.join(copy, 'clip')).manifest;
    const build = async (r: typeof recipe) => {
      const seen: string[] = [];
      const out = path.join(tmp(), 'bundle');
      // A stage trained afresh reports its first step; one resumed from a finished checkpoint reports none.
      const onProgress = (st: string, p: { step: number }) => void (p.step === 1 && seen.push(`${st} from step 1`));
      const { manifest } = await buildShapes(r, { work: copy, out, name: tiny.name, version: tiny.version, command: tiny.command, onStage: (st) => seen.push(st), onProgress });
      return { seen, manifest, out };
    };
    // A finished bundle of another recipe is refused before any stage runs.
    await expect(buildShapes({ ...recipe, draws: 2 }, { work: copy, out, name: tiny.name, version: tiny.version, command: tiny.command })).rejects.toThrow(`${out} holds a bundle of another recipe`);
    const clipBefore = clipManifest().createdAt;
    const decoder = await build({ ...recipe, decoderSteps: recipe.decoderSteps + 1 });
    expect(decoder.seen).toEqual(expect.arrayContaining(['denoiser from step 1', 'decoder from step 1', 'write']));
    expect(decoder.seen).not.toContain('clip');
    expect(clipManifest().createdAt).toBe(clipBefore);
    expect((decoder.manifest.provenance.recipe?.shapes as typeof recipe).decoderSteps).toBe(recipe.decoderSteps + 1);

    const clip = await build({ ...recipe, clipSteps: recipe.clipSteps + 1 });
    expect(clip.seen).toEqual(expect.arrayContaining(['clip from step 1', 'denoiser from step 1', 'decoder from step 1']));
    expect(clipManifest().createdAt).not.toBe(clipBefore);
    // The new bundle ships the new CLIP.
    const vision = clipManifest().clip.vision;
    expect(sha(path.join(clip.out, vision))).toBe(sha(path.join(copy, 'clip', vision)));
    expect(sha(path.join(clip.out, vision))).not.toBe(sha(path.join(decoder.out, vision)));

    // A learning rate of its own trains the CLIP again at that rate (a step in the warm-up takes the peak's share).
    const firstLr = () => (JSON.parse(fs.readFileSync(path.join(copy, 'runs', 'clip', 'loss.jsonl'), 'utf8').split('\n')[0]) as { lr: number }).lr;
    const before = firstLr();
    const slow = await build({ ...recipe, clipSteps: recipe.clipSteps + 1, clipLr: CLIP_TRAINING.lr / 2 });
    expect(slow.seen).toContain('clip from step 1');
    expect(firstLr()).toBeCloseTo(before / 2, 12);
    expect(clipManifest().provenance.notes).toContain(`peak learning rate ${CLIP_TRAINING.lr / 2},`);

    // The image-side objective trains the CLIP again with a head on the scenes' facts; the exported tower ends at the embedding.
    // Only the objective differs from the build before, so the stage stamp must hold it.
    const headed = { ...recipe, clipSteps: recipe.clipSteps + 1, clipLr: CLIP_TRAINING.lr / 2, attributes: 0.5 };
    const heads = await build(headed);
    expect(heads.seen).toContain('clip from step 1');
    expect(clipManifest().provenance.notes).toContain(`plus 0.5 x the binary cross-entropy of a linear head predicting ${SCENE_ATTRIBUTES} facts of each image`);
    const tower = fs.readFileSync(path.join(heads.out, clipManifest().clip.vision));
    expect(tower.includes('clip.vision.proj.weight')).toBe(true);
    expect(tower.includes('clip.vision.attributes')).toBe(false);

    // The captions' stated facts change only the labels the stage stamp digests, then only the head that reads them.
    const stated = await build({ ...headed, statedAttributes: true });
    expect(stated.seen).toContain('clip from step 1');
    expect(clipManifest().provenance.notes).toContain(`, the same head predicting the ${STATED_ATTRIBUTES} facts each caption states`);
    const textHead = await build({ ...headed, statedAttributes: true, textHead: true });
    expect(textHead.seen).toContain('clip from step 1');
    expect(clipManifest().provenance.notes).toContain(`, a head of the text tower predicting the ${STATED_ATTRIBUTES} facts each caption states`);
    const textTower = fs.readFileSync(path.join(textHead.out, clipManifest().clip.text));
    expect(textTower.includes('clip.text.proj.weight')).toBe(true);
    expect(textTower.includes('clip.text.attributes')).toBe(false);
    const weighted = await build({ ...headed, statedAttributes: true, textHead: true, statedWeight: 2 });
    expect(weighted.seen).toContain('clip from step 1');
    expect(clipManifest().provenance.notes).toContain(`facts each caption states from its embedding, at weight 2,`);
  });

  test('the validation split and held-out references stay out of training', () => {
    const dataDir = first.dataDir;
    const pairs = readShapesPart(dataDir, 'pairs');
    const { train, val } = splitPairs(dataDir, recipe.val);
    expect(train).toHaveLength(recipe.data.pairs - recipe.val);
    expect(val).toHaveLength(recipe.val);
    // val is the last `val` pairs; train is the rest, and they share no image.
    expect(val.map((v) => v.image)).toEqual(pairs.slice(-recipe.val).map((p) => p.image));
    expect(train.map((t) => t.image)).toEqual(pairs.slice(0, -recipe.val).map((p) => p.image));
    const trainImages = new Set(train.map((t) => t.image));
    for (const v of val) expect(trainImages.has(v.image)).toBe(false);
    // The mini-CLIP says it saw exactly the training pairs.
    const clip = loadClip(path.join(work, 'clip'));
    expect(clip.manifest.provenance.corpus).toMatch(new RegExp(`^${train.length} ShapesWorld image-caption pairs`));
    expect(clip.manifest.provenance.commands.join('\n')).toMatch(new RegExp(`ē_img and domain from ${train.length} image`));

    // The captioner's corpus holds neither held-out references nor validation captions.
    const texts = new Set(lines(path.join(dataDir, 'texts.txt')));
    expect(texts.size).toBeGreaterThan(0);
    const held = readShapesPart(dataDir, 'heldout');
    expect(held).toHaveLength(recipe.data.heldOut);
    for (const c of held.flatMap((h) => h.captions)) expect([c, texts.has(c)]).toEqual([c, false]);
    for (const c of val.flatMap((v) => v.captions)) expect([c, texts.has(c)]).toEqual([c, false]);
    expect(() => splitPairs(dataDir, recipe.data.pairs)).toThrow(/leaves no pairs/);
  });
});

describe('buildMiniClip', () => {
  test('stated facts missing from a pair or a caption, of another length, or more than the attributes are refused before any training', async () => {
    const runDir = tmp();
    const base = { image: path.join(runDir, 'never-read.png'), captions: ['a red star.', 'a blue circle.'], attributes: [1, 0, 1] };
    const o = { config: SHAPES_CLIP, corpus: 'pairs', seed: 0, steps: 1, runDir, name: 'x', version: '0.0.0', command: 'test', attributeWeight: 1 };
    const good = {
      ...base,
      stated: [
        [1, 0],
        [0, 1],
      ],
    };
    for (const bad of [base, { ...base, stated: [[1, 0]] }, { ...base, stated: [[1, 0], [1]] }])
      await expect(buildMiniClip([good, bad], path.join(runDir, 'out'), o)).rejects.toThrow('stated facts must come with every caption, as many (1-3) for each');
    const four = {
      ...base,
      stated: [
        [1, 0, 1, 1],
        [0, 0, 0, 0],
      ],
    };
    await expect(buildMiniClip([four, four], path.join(runDir, 'out'), o)).rejects.toThrow('as many (1-3) for each');
  });

  test('a text head or a stated weight without stated facts, or a weight that is not positive, is refused before any training', async () => {
    const runDir = tmp();
    const pair = { image: path.join(runDir, 'never-read.png'), captions: ['a red star.'], attributes: [1, 0, 1] };
    const o = { config: SHAPES_CLIP, corpus: 'pairs', seed: 0, steps: 1, runDir, name: 'x', version: '0.0.0', command: 'test', attributeWeight: 1 };
    const needs = 'a text head or a stated weight needs an attribute weight and stated facts on the pairs';
    await expect(buildMiniClip([pair], path.join(runDir, 'out'), { ...o, textHead: true })).rejects.toThrow(needs);
    await expect(buildMiniClip([pair], path.join(runDir, 'out'), { ...o, statedWeight: 100 })).rejects.toThrow(needs);
    const stated = { ...pair, stated: [[1, 0]] };
    await expect(buildMiniClip([stated], path.join(runDir, 'out'), { ...o, attributeWeight: undefined, textHead: true })).rejects.toThrow(needs);
    await expect(buildMiniClip([stated], path.join(runDir, 'out'), { ...o, statedWeight: 0 })).rejects.toThrow('a stated weight of 0 is not a positive number');
    expect(fs.existsSync(path.join(runDir, 'tokenizer'))).toBe(false);
  });
});

describe('shapesData', () => {
  test('makes the data once per options and remakes it when they change', async () => {
    const work = tmp();
    const opts = { seed: 4, pairs: 6, texts: 4, heldOut: 3, size: 32 };
    const dir = await shapesData(work, opts);
    expect(dir).toBe(path.join(work, 'data'));
    const files = ['pairs/pairs.jsonl', 'texts.txt', 'heldout/heldout.jsonl', 'pairs/000000.png', 'heldout/000002.png'];
    const stat = (f: string) => fs.statSync(path.join(dir, f)).mtimeMs;
    const before = Object.fromEntries(files.map((f) => [f, { mtime: stat(f), sha: sha(path.join(dir, f)) }]));
    fs.writeFileSync(path.join(dir, 'marker'), 'kept only while the data is reused');
    await new Promise((r) => setTimeout(r, 20));

    expect(await shapesData(work, { ...opts })).toBe(dir);
    for (const f of files) expect([f, stat(f)]).toEqual([f, before[f].mtime]);
    expect(fs.existsSync(path.join(dir, 'marker'))).toBe(true);

    await shapesData(work, { ...opts, pairs: 7 });
    expect(fs.existsSync(path.join(dir, 'marker'))).toBe(false);
    expect(lines(path.join(dir, 'pairs', 'pairs.jsonl'))).toHaveLength(7);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'options.json'), 'utf8'))).toEqual({ ...opts, pairs: 7 });

    // Back to the first options: remade, byte-identical to the first time (and to another folder's).
    await shapesData(work, opts);
    for (const f of files) expect([f, sha(path.join(dir, f))]).toEqual([f, before[f].sha]);
    const other = await shapesData(tmp(), opts);
    for (const f of files) expect([f, sha(path.join(other, f))]).toEqual([f, before[f].sha]);
  });
});
