/**
 * The queue's caption adapter (CaptionEngine) on real random-weight bundles and onnxruntime: it
 * captions as the Captioner does, names a bad image's reason, runs one call at a time, swaps the
 * captioner when the bundle changes, and keeps the one in service when a new bundle fails to load.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { makeRandomBundle } from '../../worker/bundle/random';
import { Captioner, CaptionResult } from '../../worker/caption';
import { CaptionEngine, EngineSettings, UnreadableImageError } from '../../worker/engine';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-engine-'));
const bundleA = path.join(root, 'a');
const bundleB = path.join(root, 'b');
const settings = (bundle: string): EngineSettings => ({ bundle, m: 600, steps: 5, beam: 1, maxTokens: 6 });
let red: Buffer;
let blue: Buffer;

beforeAll(async () => {
  makeRandomBundle(bundleA, 'tiny', 1);
  makeRandomBundle(bundleB, 'tiny', 2);
  red = await sharp({ create: { width: 40, height: 32, channels: 3, background: '#c01010' } })
    .png()
    .toBuffer();
  blue = await sharp({ create: { width: 32, height: 40, channels: 3, background: '#1030d0' } })
    .jpeg()
    .toBuffer();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

test('an image gets the caption the Captioner gives it, with the settings and bundle it was made with', async () => {
  const engine = new CaptionEngine();
  try {
    const r = await engine.caption('red.png', red, settings(bundleA));
    const direct = await Captioner.open(loadBundle(bundleA));
    const [expected] = (await direct.caption([{ name: 'red.png', data: red }], { m: 600, steps: 5, beam: 1, maxTokens: 6 })) as CaptionResult[];
    await direct.close();
    expect(r).toMatchObject({ file: 'red.png', caption: expected.caption, confidence: expected.confidence, m: 600, steps: 5, bundle: 'random-tiny', version: '0.0.1' });
    expect(r.caption.length).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(0);
  } finally {
    await engine.close();
  }
});

test('a bad image is an UnreadableImageError with the reason, and the next image is still captioned', async () => {
  const engine = new CaptionEngine();
  try {
    const bad = engine.caption('notes.png', Buffer.from('this is text, not an image\n'), settings(bundleA));
    await expect(bad).rejects.toBeInstanceOf(UnreadableImageError);
    await expect(bad).rejects.toThrow(/\S/);
    const truncated = red.subarray(0, 30);
    await expect(engine.caption('cut.png', truncated, settings(bundleA))).rejects.toBeInstanceOf(UnreadableImageError);
    await expect(engine.caption('blue.jpg', blue, settings(bundleA))).resolves.toMatchObject({ file: 'blue.jpg', bundle: 'random-tiny' });
  } finally {
    await engine.close();
  }
});

test('calls run one at a time, in the order they came', async () => {
  const engine = new CaptionEngine();
  const events: string[] = [];
  const original = Captioner.prototype.caption;
  jest.spyOn(Captioner.prototype, 'caption').mockImplementation(async function (this: Captioner, ...args: Parameters<Captioner['caption']>) {
    const name = (args[0][0] as { name: string }).name;
    events.push(`start ${name}`);
    try {
      return await original.apply(this, args);
    } finally {
      events.push(`end ${name}`);
    }
  });
  try {
    const names = ['one', 'two', 'three'];
    const results = await Promise.all(names.map((n, i) => engine.caption(n, i % 2 ? blue : red, settings(bundleA))));
    expect(results.map((r) => r.file)).toEqual(names);
    expect(events).toEqual(names.flatMap((n) => [`start ${n}`, `end ${n}`]));
  } finally {
    await engine.close();
  }
});

test('a new bundle swaps the captioner (the old one is closed); the same bundle reuses it', async () => {
  const engine = new CaptionEngine();
  const opened = jest.spyOn(Captioner, 'open');
  const closed = jest.spyOn(Captioner.prototype, 'close');
  try {
    await engine.caption('red.png', red, settings(bundleA));
    await engine.caption('blue.jpg', blue, settings(bundleA));
    expect([opened.mock.calls.length, closed.mock.calls.length]).toEqual([1, 0]);
    const b = await engine.caption('red.png', red, settings(bundleB));
    expect(b).toMatchObject({ bundle: 'random-tiny', version: '0.0.2' });
    expect([opened.mock.calls.length, closed.mock.calls.length]).toEqual([2, 1]);
    expect(opened.mock.calls[1][0].dir).toBe(bundleB);
  } finally {
    await engine.close();
  }
  expect(closed.mock.calls.length).toBe(2);
});

test('a bundle that fails to load leaves the previous one in service', async () => {
  const damaged = path.join(root, 'damaged');
  fs.cpSync(bundleA, damaged, { recursive: true });
  const weights = path.join(damaged, 'decoder.safetensors');
  const bytes = fs.readFileSync(weights);
  bytes[bytes.length - 1] ^= 0xff;
  fs.writeFileSync(weights, bytes);
  const engine = new CaptionEngine();
  const closed = jest.spyOn(Captioner.prototype, 'close');
  try {
    const before = await engine.caption('red.png', red, settings(bundleB));
    await expect(engine.caption('red.png', red, settings(damaged))).rejects.toThrow(/decoder\.safetensors does not match its sha256/);
    await expect(engine.caption('red.png', red, settings(path.join(root, 'no-such-bundle')))).rejects.toThrow(/not found/);
    expect(closed).not.toHaveBeenCalled();
    const after = await engine.caption('red.png', red, settings(bundleB));
    expect(after).toMatchObject({ version: '0.0.2', caption: before.caption });
  } finally {
    await engine.close();
  }
});
