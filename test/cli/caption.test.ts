/**
 * The whole captioning path through the CLI: a bundle whose decoder was trained here to map the
 * bridged embeddings of two known images to two known captions gives those captions back, and bad
 * files get a clear error line each while the others are still captioned.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { makeRandomBundle } from '../../worker/bundle/random';
import { updateBundle } from '../../worker/bundle/write';
import { Captioner } from '../../worker/caption';
import { ClipTokenizer } from '../../worker/clip/tokenizer';
import { meanOfNormalised } from '../../worker/diffusion';
import { decoderTrain } from '../../worker/graph/decoder';
import { buildTrainStep } from '../../worker/graph/train-step';
import { Trainer } from '../../worker/train/trainer';

const BIN = path.join(__dirname, '..', '..', 'bin', 'altbridge.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-caption-'));
const bundleDir = path.join(root, 'bundle');
const file = (name: string) => path.join(root, name);
const CAPTIONS = ['a red square above a green circle.', 'a blue star.'];
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A PNG header claiming width x height, with a tiny (invalid-sized) image stream: a decompression bomb's shape. */
function hugePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(async () => {
  makeRandomBundle(bundleDir, 'tiny', 5);
  await sharp({ create: { width: 48, height: 40, channels: 3, background: '#d01010' } })
    .png()
    .toFile(file('red.png'));
  const noise = Buffer.from(Array.from({ length: 56 * 40 * 3 }, (_, i) => (i * 37) % 256));
  await sharp(noise, { raw: { width: 40, height: 56, channels: 3 } })
    .jpeg()
    .toFile(file('pattern.jpg'));
  const jpeg = fs.readFileSync(file('pattern.jpg'));
  fs.writeFileSync(file('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  fs.writeFileSync(file('notes.png'), 'this is a text file, not an image\n');
  fs.writeFileSync(file('empty.png'), '');
  fs.writeFileSync(file('bomb.png'), hugePng(30000, 30000));

  // ē_img from the two images, as `images-mean` does from a user's images: a random CLIP maps all
  // images close together, and centring on their mean is what separates them (eq. 6).
  const images = [file('red.png'), file('pattern.jpg')];
  const first = await Captioner.open(loadBundle(bundleDir));
  const { imageEmbeds } = await first.embed(images, { clipOnly: true });
  await first.close();
  const textMean = loadBundle(bundleDir).textMean;
  updateBundle(bundleDir, {
    'means.safetensors': { tensors: { text_mean: { dtype: 'float32', shape: [16], data: textMean }, image_mean: { dtype: 'float32', shape: [16], data: meanOfNormalised(imageEmbeds, 16) } } },
  });

  // Train the bundle's decoder on the bridged embeddings of the two images.
  const bundle = loadBundle(bundleDir);
  const captioner = await Captioner.open(bundle);
  const { bridged } = await captioner.embed(images);
  await captioner.close();
  const tok = ClipTokenizer.load(bundle.file(bundle.manifest.clip.tokenizer));
  const cfg = bundle.manifest.decoder.config;
  const seqs = CAPTIONS.map((c) => [tok.bos, ...tok.tokens(c), tok.eos]); // the tiny bundle's decoder ids are tokenizer ids
  const data = {
    size: 2,
    batch: (idx: Uint32Array) => {
      const tokens = new BigInt64Array(idx.length * cfg.maxLen);
      const targets = new BigInt64Array(idx.length * cfg.maxLen);
      idx.forEach((k, b) =>
        seqs[k].slice(0, -1).forEach((t, j) => {
          tokens[b * cfg.maxLen + j] = BigInt(t);
          targets[b * cfg.maxLen + j] = BigInt(seqs[k][j + 1]);
        }),
      );
      const cond = new Float32Array(idx.length * cfg.condDim);
      idx.forEach((k, b) => cond.set(bridged.subarray(k * cfg.condDim, (k + 1) * cfg.condDim), b * cfg.condDim));
      return {
        tokens: new ort.Tensor('int64', tokens, [idx.length, cfg.maxLen]),
        targets: new ort.Tensor('int64', targets, [idx.length, cfg.maxLen]),
        cond: new ort.Tensor('float32', cond, [idx.length, cfg.condDim]),
      };
    },
  };
  const graph = buildTrainStep(decoderTrain(cfg, { smoothing: 0, ignoreIndex: 0 }), { adamw: { weightDecay: 0 } });
  const trained = await new Trainer({ graph, data, batchSize: 2, steps: 300, seed: 2, schedule: { peak: 3e-3, warmup: 10 }, init: bundle.decoder }).run();
  const shapes = new Map(graph.params.map((p) => [p.name, p.shape]));
  const tensors = Object.fromEntries([...trained.params].map(([k, v]) => [k, { dtype: 'float32' as const, shape: shapes.get(k)!, data: v }]));
  updateBundle(bundleDir, { 'decoder.safetensors': { tensors } });
});

const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, 'caption', '--bundle', bundleDir, ...args], { encoding: 'utf8' });

test('two known images come back with their two known captions, as JSON with settings and timings', () => {
  const r = cli(file('red.png'), file('pattern.jpg'), '--json');
  expect(r.stderr).toMatch(/clip vision runs on cpu/);
  expect(r.status).toBe(0);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => l.caption)).toEqual(CAPTIONS);
  for (const l of lines) {
    expect(l).toMatchObject({ m: 600, steps: 5, bundle: 'random-tiny', version: '0.0.5' });
    expect(l.confidence).toBeLessThanOrEqual(0);
    expect(Object.keys(l.timings).sort()).toEqual(['bridge', 'clip', 'decoder', 'preprocess']);
  }
});

test('bad files each get a clear error line, the good ones are captioned, the exit code says so', () => {
  const r = cli(file('truncated.jpg'), file('red.png'), file('notes.png'), file('bomb.png'), file('empty.png'), file('pattern.jpg'), '--beam', '1');
  expect(r.status).toBe(1);
  const out = r.stdout.trim().split('\n');
  expect(out).toHaveLength(2);
  expect(out[0]).toContain(`${file('red.png')}\t${CAPTIONS[0]}`);
  expect(out[1]).toContain(`${file('pattern.jpg')}\t${CAPTIONS[1]}`);
  const err = r.stderr;
  for (const bad of ['truncated.jpg', 'notes.png', 'bomb.png', 'empty.png']) expect(err).toMatch(new RegExp(`${bad}: error: .+`));
  expect(err).toMatch(/bomb\.png: error: .*30000.*30000/);
  expect(err).toMatch(/4 of 6 image\(s\) could not be captioned/);
});

test('M = 0 and another M still caption; a bundle without ē_img refuses to bridge with the fix named', async () => {
  const r = cli(file('red.png'), '--m', '0', '--json');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ m: 0, steps: 0 });
  const noMean = path.join(root, 'no-mean');
  fs.cpSync(bundleDir, noMean, { recursive: true });
  updateBundle(noMean, { 'means.safetensors': { tensors: { text_mean: { dtype: 'float32', shape: [16], data: new Float32Array(16).fill(0.1) } } } });
  const c = await Captioner.open(loadBundle(noMean));
  await expect(c.caption([file('red.png')])).rejects.toThrow(/has no ē_img yet .*altbridge images-mean/);
  await c.close();
});
