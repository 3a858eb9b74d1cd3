/**
 * CLIP text embeddings of a caption corpus, batched and cached on disk by content, so retraining
 * or growing the corpus only encodes captions the cache has not seen.
 *
 * Cache: one tensor file per text model, `<cacheDir>/<textModelSha256>.safetensors`, holding
 * `keys` int64 [n, 4] (the 32 bytes of sha256(textModelSha256 + '\n' + caption)) and
 * `embeddings` float32 [n, embedDim], row for row; metadata names the model, the dims and a
 * sha256 of both tensors' bytes, so a damaged file is detected (warned about, then rebuilt) rather
 * than served. Keys as raw bytes cost 32 B a caption (10 MB for 300k), where keys in the JSON
 * metadata would bloat and slow the header. New rows are appended by rewriting the file
 * atomically (tensor-file's temp file + rename): concurrent writers can lose each other's rows,
 * never corrupt the file.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ClipEncoders } from '../clip/encoders';
import { ClipTokenizer } from '../clip/tokenizer';
import { readTensorFile, writeTensorFile } from './tensor-file';
import { wholeNumberIn } from '../validate';
import { cacheDir } from '../cache-dir';

export interface EmbedOptions {
  /** Captions per encoder run (64). */
  batchSize?: number;
  /** Cache folder ($ALTBRIDGE_CACHE or ~/.cache/altbridge, then text-embeddings). */
  cacheDir?: string;
  /** After each encoder batch: captions encoded so far and to encode in all (cached ones not counted). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** What embedTexts uses of ClipEncoders; narrow so tests can stand in a session's metadata. */
export type TextEmbedder = Pick<ClipEncoders, 'c' | 'texts'> & { text: Pick<ClipEncoders['text'], 'inputMetadata'> };

const KEY_BYTES = 32;
const FORMAT = 'altbridge-text-embeddings/1';

const defaultCacheDir = (): string => cacheDir('text-embeddings');

interface CacheMeta {
  format: string;
  textModelSha256: string;
  contextLength: number;
  embedDim: number;
  count: number;
  sha256: string;
}

interface Cache {
  keys: Uint8Array;
  embeddings: Float32Array;
}

const digest = (keys: Uint8Array, embeddings: Float32Array) =>
  crypto
    .createHash('sha256')
    .update(keys)
    .update(new Uint8Array(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength))
    .digest('hex');

/** The cache's rows, or null (with a warning when a file was there but unusable). */
function readCache(file: string, want: Omit<CacheMeta, 'count' | 'sha256'>): Cache | null {
  if (!fs.existsSync(file)) return null;
  try {
    const { tensors, meta } = readTensorFile(file);
    const m = meta as CacheMeta | null;
    const { keys, embeddings } = tensors;
    if (!m || m.format !== FORMAT) throw new Error('not a text-embeddings cache');
    if (m.textModelSha256 !== want.textModelSha256 || m.contextLength !== want.contextLength || m.embedDim !== want.embedDim) {
      throw new Error(`made for model ${m.textModelSha256}, context ${m.contextLength}, dim ${m.embedDim}`);
    }
    if (keys?.dtype !== 'int64' || keys.shape.join() !== `${m.count},4` || embeddings?.dtype !== 'float32' || embeddings.shape.join() !== `${m.count},${m.embedDim}`) {
      throw new Error('tensors do not match the metadata');
    }
    const c = { keys: new Uint8Array(keys.data.buffer, keys.data.byteOffset, keys.data.byteLength), embeddings: embeddings.data };
    if (digest(c.keys, c.embeddings) !== m.sha256) throw new Error('checksum mismatch (damaged)');
    return c;
  } catch (err) {
    console.warn(`altbridge: text-embedding cache ${file} is unusable (${(err as Error).message}); recomputing`);
    return null;
  }
}

function writeCache(file: string, c: Cache, meta: Omit<CacheMeta, 'count' | 'sha256'>): void {
  const count = c.keys.length / KEY_BYTES;
  // int64 views of the key bytes; a fresh copy keeps the 8-byte alignment BigInt64Array needs.
  const keys = new BigInt64Array(c.keys.slice().buffer);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeTensorFile(
      file,
      { keys: { dtype: 'int64', shape: [count, 4], data: keys }, embeddings: { dtype: 'float32', shape: [count, meta.embedDim], data: c.embeddings } },
      { ...meta, count, sha256: digest(c.keys, c.embeddings) },
    );
  } catch (err) {
    // The embeddings are still right; only the next run loses the saving.
    console.warn(`altbridge: cannot write text-embedding cache ${file} (${(err as Error).message})`);
  }
}

/** True when the text session takes any sequence length, so batches can stop at their longest caption. */
function dynamicLength(enc: TextEmbedder): boolean {
  const m = enc.text.inputMetadata.find((x) => x.name === 'input_ids');
  return !!m && m.isTensor && m.shape.length === 2 && typeof m.shape[1] === 'string';
}

/** CLIP text embeddings [n, embedDim] (raw, as the encoder outputs them) for `captions`, in order. */
export async function embedTexts(encoders: TextEmbedder, tokenizer: ClipTokenizer, textModelSha256: string, contextLength: number, captions: string[], o: EmbedOptions = {}): Promise<Float32Array> {
  const batchSize = wholeNumberIn('text embeddings: batchSize', o.batchSize ?? 64, 1);
  const dim = encoders.c.embedDim;
  const meta = { format: FORMAT, textModelSha256, contextLength, embedDim: dim };
  const file = path.join(o.cacheDir ?? defaultCacheDir(), `${textModelSha256}.safetensors`);
  const keyOf = (caption: string) => crypto.createHash('sha256').update(`${textModelSha256}\n${caption}`).digest();

  const cache = readCache(file, meta);
  const rowOf = new Map<string, number>();
  const cachedRows = cache ? cache.keys.length / KEY_BYTES : 0;
  for (let r = 0; r < cachedRows; r++) rowOf.set(Buffer.from(cache!.keys.buffer, cache!.keys.byteOffset + r * KEY_BYTES, KEY_BYTES).toString('hex'), r);

  // Each distinct uncached caption once, with its key.
  const keys = captions.map(keyOf);
  const todo = new Map<string, { caption: string; key: Buffer }>();
  captions.forEach((caption, i) => {
    const hex = keys[i].toString('hex');
    if (!rowOf.has(hex)) todo.set(hex, { caption, key: keys[i] });
  });

  const fresh = [...todo.values()];
  const trim = dynamicLength(encoders);
  // Similar lengths share a batch, so trimmed batches carry little padding.
  if (trim) {
    const len = new Map(fresh.map((f) => [f.caption, tokenizer.tokens(f.caption).length]));
    fresh.sort((a, b) => len.get(a.caption)! - len.get(b.caption)!);
  }
  const newEmb = new Float32Array(fresh.length * dim);
  let done = 0;
  try {
    while (done < fresh.length) {
      o.signal?.throwIfAborted();
      const batch = fresh.slice(done, done + batchSize).map((f) => f.caption);
      const t = tokenizer.encode(batch, { maxLength: contextLength, trim });
      newEmb.set(await encoders.texts(t.ids, t.mask, t.batch, t.length), done * dim);
      done += batch.length;
      o.onProgress?.(done, fresh.length);
    }
  } finally {
    // Keep what was encoded even when aborted or failing part way.
    if (done > 0) {
      const keyBytes = new Uint8Array((cachedRows + done) * KEY_BYTES);
      const emb = new Float32Array((cachedRows + done) * dim);
      if (cache) {
        keyBytes.set(cache.keys);
        emb.set(cache.embeddings);
      }
      fresh.slice(0, done).forEach((f, i) => {
        keyBytes.set(f.key, (cachedRows + i) * KEY_BYTES);
        rowOf.set(f.key.toString('hex'), cachedRows + i);
      });
      emb.set(newEmb.subarray(0, done * dim), cachedRows * dim);
      writeCache(file, { keys: keyBytes, embeddings: emb }, meta);
    }
  }

  const out = new Float32Array(captions.length * dim);
  keys.forEach((k, i) => {
    const r = rowOf.get(k.toString('hex'))!;
    out.set(r < cachedRows ? cache!.embeddings.subarray(r * dim, (r + 1) * dim) : newEmb.subarray((r - cachedRows) * dim, (r - cachedRows + 1) * dim), i * dim);
  });
  return out;
}
