/**
 * Caption generation from conditioning embeddings: a prefill graph (prefix + start token), then
 * one-position steps over a key/value cache, so each new token costs one position. Beam search
 * (width 1 is greedy) over all captions of a batch at once; a caption ends at the end token or at
 * a stop token such as "." (kept), and its confidence is its mean token log-probability. No beam
 * may repeat an n-gram of its own tokens, so a caption cannot say the same phrase twice.
 */
import * as ort from 'onnxruntime-node';
import { TypedData } from './graph/graph';
import { cacheName, decoderPrefill, DecoderConfig, decoderStep, prefixLength } from './graph/decoder';
import { buildInference } from './graph/train-step';
import { openSession, RuntimeConfig, runtimeConfig } from './runtime';
import { wholeNumberIn } from './validate';

export interface Generator {
  cfg: DecoderConfig;
  prefill: ort.InferenceSession;
  step: ort.InferenceSession;
}

export async function openGenerator(cfg: DecoderConfig, params: Map<string, TypedData>, runtime: RuntimeConfig = runtimeConfig(), log?: (l: string) => void): Promise<Generator> {
  const [prefill, step] = await Promise.all([
    openSession(buildInference(decoderPrefill(cfg), params), runtime, 'decoder prefill', log),
    openSession(buildInference(decoderStep(cfg), params), runtime, 'decoder step', log),
  ]);
  return { cfg, prefill, step };
}

export async function closeGenerator(g: Generator): Promise<void> {
  await Promise.all([g.prefill.release(), g.step.release()]);
}

export interface GenerateOptions {
  bos: number;
  eos: number;
  /** Tokens that end a caption and stay in it (e.g. "."). */
  stop?: number[];
  /** Beam width; 1 is greedy. */
  beam?: number;
  /** Most tokens generated per caption (at most maxLen - 1). */
  maxTokens?: number;
  /** No beam repeats a run of this many tokens (0 allows repeats); DEFAULT_NO_REPEAT_NGRAM when absent. */
  noRepeatNgram?: number;
}

/**
 * 4, not the usual 3: ShapesWorld's own captions repeat 3-token runs ("…, a single red square, a
 * single blue star, a single…") in 2.5 % of references and 4-token runs in 0.4 %, while 4 still
 * blocks the decoder's commonest fault, a 4-token object phrase said twice ("a single red square").
 */
export const DEFAULT_NO_REPEAT_NGRAM = 4;

export interface Caption {
  tokens: number[];
  /** Sum of the chosen tokens' log-probabilities (the end token included). */
  logprob: number;
  /** Mean token log-probability. */
  confidence: number;
  /** The least likely chosen token's log-probability (the end token included): a feature of the quality estimate. */
  minLogprob: number;
}

interface Beam {
  image: number;
  tokens: number[];
  logprob: number;
  /** Least token log-probability so far. */
  min: number;
}

/** Indices of the k largest values of row. */
function topK(row: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    if (best.length === k && row[i] <= row[best[k - 1]]) continue;
    let j = Math.min(best.length, k - 1);
    best[j] = i;
    while (j > 0 && row[best[j - 1]] < row[best[j]]) {
      [best[j - 1], best[j]] = [best[j], best[j - 1]];
      j--;
    }
  }
  return best;
}

/** Tokens that would complete an n-gram already in `tokens` (none for n = 0). */
export function repeatingTokens(tokens: number[], n: number): Set<number> {
  const banned = new Set<number>();
  if (n === 0 || tokens.length < n - 1) return banned;
  const tail = tokens.slice(tokens.length - n + 1);
  for (let i = 0; i + n <= tokens.length; i++) {
    if (tail.every((t, j) => tokens[i + j] === t)) banned.add(tokens[i + n - 1]);
  }
  return banned;
}

/** Rows of a cache tensor [N, ...] picked by `rows` (beam reordering). */
function pickRows(t: ort.Tensor, rows: number[]): ort.Tensor {
  const src = t.data as Float32Array;
  const size = src.length / t.dims[0];
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(src.subarray(r * size, (r + 1) * size), i * size));
  return new ort.Tensor('float32', out, [rows.length, ...t.dims.slice(1)]);
}

/** A finished hypothesis; the end token counts in the mean but is not part of the caption. */
const finish = (tokens: number[], logprob: number, min: number, eos: number): Caption => ({
  tokens: tokens[tokens.length - 1] === eos ? tokens.slice(0, -1) : tokens,
  logprob,
  confidence: logprob / tokens.length,
  minLogprob: min,
});

/** Adds a finished caption to the best `width` kept so far (by confidence). */
function keep(list: Caption[], c: Caption, width: number): void {
  if (list.length < width) list.push(c);
  else {
    const worst = list.reduce((w, x, i) => (x.confidence < list[w].confidence ? i : w), 0);
    if (c.confidence > list[worst].confidence) list[worst] = c;
  }
}

/** Captions for `count` conditions `cond` [count, condDim] (ignored by unconditioned decoders). */
export async function generate(gen: Generator, cond: Float32Array, count: number, o: GenerateOptions): Promise<Caption[]> {
  const { cfg } = gen;
  const width = wholeNumberIn('generate: beam width', o.beam ?? 1, 1);
  const maxTokens = Math.min(o.maxTokens ?? cfg.maxLen - 1, cfg.maxLen - 1);
  const noRepeat = wholeNumberIn('generate: no-repeat n-gram size', o.noRepeatNgram ?? DEFAULT_NO_REPEAT_NGRAM, 0);
  if (cfg.condDim > 0 && cond.length !== count * cfg.condDim) throw new Error(`generate: ${count} conditions of size ${cfg.condDim} need ${count * cfg.condDim} values, got ${cond.length}`);
  if (count === 0) return [];
  const ends = new Set([o.eos, ...(o.stop ?? [])]);
  const feeds: Record<string, ort.Tensor> = { tokens: new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(o.bos)), [count, 1]) };
  if (cfg.condDim > 0) feeds.cond = new ort.Tensor('float32', cond, [count, cfg.condDim]);
  let out = await gen.prefill.run(feeds);
  // Each row of `out` belongs to beams[row]; the prefill has one row per image.
  let beams: Beam[] = Array.from({ length: count }, (_, image) => ({ image, tokens: [], logprob: 0, min: 0 }));
  const done: Caption[][] = Array.from({ length: count }, () => []);
  const closed = new Array<boolean>(count).fill(false);
  for (let s = 0; s < maxTokens; s++) {
    const logprobs = out.logprobs.data as Float32Array;
    const next: Beam[] = [];
    const parents: number[] = [];
    for (let image = 0; image < count; image++) {
      if (closed[image]) continue;
      const candidates: { row: number; token: number; logprob: number; min: number }[] = [];
      beams.forEach((b, row) => {
        if (b.image !== image) return;
        let lp = logprobs.subarray(row * cfg.vocab, (row + 1) * cfg.vocab);
        const banned = repeatingTokens(b.tokens, noRepeat);
        if (banned.size > 0) {
          lp = lp.slice();
          for (const t of banned) lp[t] = -Infinity;
        }
        for (const token of topK(lp, 2 * width))
          if (lp[token] > -Infinity) candidates.push({ row, token, logprob: b.logprob + lp[token], min: b.tokens.length ? Math.min(b.min, lp[token]) : lp[token] });
      });
      candidates.sort((a, b) => b.logprob - a.logprob);
      const open: { beam: Beam; parent: number }[] = [];
      for (const [rank, c] of candidates.entries()) {
        const tokens = [...beams[c.row].tokens, c.token];
        if (ends.has(c.token)) {
          // An ending only counts while it ranks among the best `width` (as in standard beam search).
          if (rank < width) keep(done[image], finish(tokens, c.logprob, c.min, o.eos), width);
        } else if (open.push({ beam: { image, tokens, logprob: c.logprob, min: c.min }, parent: c.row }) === width) break;
      }
      // Done once `width` captions ended and no open beam's mean log-probability beats the worst of
      // them; width 1 is greedy search, which the first ending closes.
      const worst = Math.min(...done[image].map((c) => c.confidence));
      const bestOpen = Math.max(...open.map((x) => x.beam.logprob / x.beam.tokens.length));
      if (done[image].length >= width && (width === 1 || bestOpen <= worst)) closed[image] = true;
      else
        for (const x of open) {
          next.push(x.beam);
          parents.push(x.parent);
        }
    }
    if (next.length === 0) break;
    if (s === maxTokens - 1) {
      // Out of positions: the open beams end here, unterminated.
      for (const b of next) keep(done[b.image], finish(b.tokens, b.logprob, b.min, o.eos), width);
      break;
    }
    const stepFeeds: Record<string, ort.Tensor> = {
      tokens: new ort.Tensor(
        'int64',
        BigInt64Array.from(next, (b) => BigInt(b.tokens[b.tokens.length - 1])),
        [next.length, 1],
      ),
      position: new ort.Tensor('int64', BigInt64Array.of(BigInt(prefixLength(cfg) + s + 1)), [1]),
    };
    for (let i = 0; i < cfg.layers; i++) {
      for (const kv of ['k', 'v'] as const) stepFeeds[cacheName.past(i, kv)] = pickRows(out[cacheName.present(i, kv)], parents);
    }
    out = await gen.step.run(stepFeeds);
    beams = next;
  }
  return done.map((list) => list.reduce((best, c) => (c.confidence > best.confidence ? c : best)));
}
