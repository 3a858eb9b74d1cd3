/** Corpus text embeddings: batched and trimmed like a plain per-caption run, cached by content. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../../../worker/bundle/load';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { ClipEncoders } from '../../../worker/clip/encoders';
import { ClipTokenizer } from '../../../worker/clip/tokenizer';
import { toy } from '../../../worker/train/toy';
import { runtimeConfig } from '../../../worker/runtime';
import { Rng } from '../../../worker/train/rng';
import { embedTexts, TextEmbedder } from '../../../worker/train/text-embeddings';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-te-'));
let enc: ClipEncoders;
let tok: ClipTokenizer;
let sha: string;
let ctx: number;
let dim: number;
let n = 0;
const freshDir = () => path.join(root, `cache-${n++}`);

beforeAll(async () => {
  const dir = path.join(root, 'bundle');
  makeRandomBundle(dir, 'tiny', 3);
  const b = loadBundle(dir);
  const m = b.manifest.clip;
  enc = await ClipEncoders.open(b.file(m.vision), b.file(m.text), { imageSize: m.imageSize, embedDim: m.embedDim }, runtimeConfig());
  tok = ClipTokenizer.load(b.file(m.tokenizer));
  sha = b.manifest.files[m.text].sha256;
  ctx = m.contextLength;
  dim = m.embedDim;
});
afterAll(async () => {
  await enc.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** `count` distinct seeded captions of 1 to 20 words (some longer than the context), in no length order. */
function captions(count: number, seed: number): string[] {
  const words = [...new Set(toy().lines.join(' ').split(' ').concat(['photo', 'cat', 'dog', 'sofa']))];
  const rng = new Rng(seed);
  const out = new Set<string>();
  while (out.size < count) out.add(Array.from({ length: 1 + rng.int(20) }, () => words[rng.int(words.length)]).join(' ') + '.');
  return [...out];
}

/** The encoder counting the captions it encodes; `symbolic` stands in a session with a dynamic sequence axis. */
function counted(symbolic = false) {
  const seen = { captions: 0, lengths: [] as number[] };
  const e: TextEmbedder = {
    c: enc.c,
    text: symbolic ? { inputMetadata: enc.text.inputMetadata.map((m) => (m.isTensor && m.name === 'input_ids' ? { ...m, shape: ['batch', 'sequence'] } : m)) } : enc.text,
    texts: async (ids, mask, batch, length) => {
      seen.captions += batch;
      seen.lengths.push(length);
      if (length === ctx) return enc.texts(ids, mask, batch, length);
      // The tiny model's axis is fixed: pad the trimmed batch back out (padding does not change the embeddings).
      const pid = new BigInt64Array(batch * ctx).fill(BigInt(tok.pad));
      const pmask = new BigInt64Array(batch * ctx);
      for (let b = 0; b < batch; b++) {
        pid.set(ids.subarray(b * length, (b + 1) * length), b * ctx);
        pmask.set(mask.subarray(b * length, (b + 1) * length), b * ctx);
      }
      return enc.texts(pid, pmask, batch, ctx);
    },
  };
  return { e, seen };
}

/** One caption at a time, padded to the context: the plain computation. */
async function reference(texts: string[]): Promise<Float32Array> {
  const out = new Float32Array(texts.length * dim);
  for (let i = 0; i < texts.length; i++) {
    const t = tok.encode([texts[i]], { maxLength: ctx });
    out.set(await enc.texts(t.ids, t.mask, 1, ctx), i * dim);
  }
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('batched, sorted and trimmed results equal the plain per-caption run, in the caller order', async () => {
  const texts = captions(300, 1);
  texts.push(texts[5]); // a repeat gets the same row
  const ref = await reference(texts);
  const fixed = counted();
  const a = await embedTexts(fixed.e, tok, sha, ctx, texts, { cacheDir: freshDir(), batchSize: 32 });
  const sym = counted(true);
  const b = await embedTexts(sym.e, tok, sha, ctx, texts, { cacheDir: freshDir(), batchSize: 32 });
  console.log(`text embeddings: max abs diff vs plain run: fixed axis ${maxDiff(a, ref).toExponential(2)}, trimmed ${maxDiff(b, ref).toExponential(2)}`);
  expect(a).toHaveLength(texts.length * dim);
  expect(maxDiff(a, ref)).toBeLessThan(1e-5);
  expect(maxDiff(b, ref)).toBeLessThan(1e-5);
  // A fixed axis is padded to the context; a dynamic one only to each batch's longest, growing as sorted.
  expect(fixed.seen.captions).toBe(300);
  expect(new Set(fixed.seen.lengths)).toEqual(new Set([ctx]));
  expect(sym.seen.captions).toBe(300);
  expect(sym.seen.lengths[0]).toBeLessThan(ctx);
  expect(sym.seen.lengths).toEqual([...sym.seen.lengths].sort((x, y) => x - y));
});

test('the cache serves repeats, encodes only new captions, and is kept per text model', async () => {
  const cacheDir = freshDir();
  const texts = captions(100, 2);
  const first = counted();
  const a = await embedTexts(first.e, tok, sha, ctx, texts, { cacheDir, batchSize: 16 });
  expect(first.seen.captions).toBe(100);

  const again = counted();
  const progress: number[] = [];
  const b = await embedTexts(again.e, tok, sha, ctx, texts, { cacheDir, onProgress: (d) => progress.push(d) });
  expect(again.seen.captions).toBe(0);
  expect(progress).toEqual([]);
  expect(b).toEqual(a);

  const more = [...captions(3, 99).map((c) => `new ${c}`), ...texts.slice(0, 50).reverse()];
  const third = counted();
  const c = await embedTexts(third.e, tok, sha, ctx, more, { cacheDir, onProgress: (d, t) => progress.push(d, t) });
  expect(third.seen.captions).toBe(3);
  expect(progress).toEqual([3, 3]);
  expect(maxDiff(c, await reference(more))).toBeLessThan(1e-5);

  const other = counted();
  await embedTexts(other.e, tok, 'f'.repeat(64), ctx, texts, { cacheDir });
  expect(other.seen.captions).toBe(100);
  expect(fs.readdirSync(cacheDir).sort()).toEqual([`${sha}.safetensors`, `${'f'.repeat(64)}.safetensors`].sort());
});

test('a damaged or foreign cache file is warned about and recomputed, never served', async () => {
  const cacheDir = freshDir();
  const file = path.join(cacheDir, `${sha}.safetensors`);
  const texts = captions(40, 3);
  const ref = await reference(texts);
  await embedTexts(counted().e, tok, sha, ctx, texts, { cacheDir });
  const good = fs.readFileSync(file);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const flipped = Buffer.from(good);
    flipped[flipped.length - 7] ^= 0x40; // one embedding value, header intact
    const damages: [Buffer, RegExp][] = [
      [flipped, /checksum/],
      [good.subarray(0, good.length - 100), /truncated/],
      [Buffer.from('garbage'), /too short/],
    ];
    for (const [bytes, why] of damages) {
      fs.writeFileSync(file, bytes);
      const r = counted();
      const out = await embedTexts(r.e, tok, sha, ctx, texts, { cacheDir });
      expect(r.seen.captions).toBe(40);
      expect(maxDiff(out, ref)).toBeLessThan(1e-5);
      expect(warn.mock.calls.at(-1)?.[0]).toMatch(/unusable/);
      expect(warn.mock.calls.at(-1)?.[0]).toMatch(why);
      // Rewritten whole: the next call is served from it.
      const next = counted();
      await embedTexts(next.e, tok, sha, ctx, texts, { cacheDir });
      expect(next.seen.captions).toBe(0);
    }
    // Another model's file under this name is not served either.
    fs.copyFileSync(file, path.join(cacheDir, `${'e'.repeat(64)}.safetensors`));
    const foreign = counted();
    await embedTexts(foreign.e, tok, 'e'.repeat(64), ctx, texts, { cacheDir });
    expect(foreign.seen.captions).toBe(40);
    expect(warn.mock.calls.at(-1)?.[0]).toMatch(/made for model/);
  } finally {
    warn.mockRestore();
  }
});

test('an abort keeps the batches already encoded', async () => {
  const cacheDir = freshDir();
  const texts = captions(50, 4);
  const stop = new AbortController();
  const r = counted();
  await expect(embedTexts(r.e, tok, sha, ctx, texts, { cacheDir, batchSize: 10, signal: stop.signal, onProgress: (d) => d === 20 && stop.abort() })).rejects.toThrow();
  expect(r.seen.captions).toBe(20);
  const rest = counted();
  expect(maxDiff(await embedTexts(rest.e, tok, sha, ctx, texts, { cacheDir, batchSize: 10 }), await reference(texts))).toBeLessThan(1e-5);
  expect(rest.seen.captions).toBe(30);
});

// Captions per second, encoded and cached: bench/text-embeddings.ts.
