/**
 * No-repeat n-grams in generate, on a hand-built decoder that wants to say one 4-token phrase over
 * and over: the layers are zeroed so each position sees only its own token, and the head maps each
 * token of the phrase to the next one (and the start token to the first).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { loadBundle } from '../../../worker/bundle/load';
import { closeGenerator, DEFAULT_NO_REPEAT_NGRAM, generate, Generator, openGenerator, repeatingTokens } from '../../../worker/generate';
import { TypedData } from '../../../worker/graph/graph';
import { repeatedRun } from '../../helpers/ngram';

const PHRASE = [11, 12, 13, 14];
let gen: Generator;
let bos: number;
let eos: number;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-norepeat-'));
  makeRandomBundle(dir, 'tiny', 1);
  const bundle = loadBundle(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  ({ bos, eos } = bundle.manifest.decoder);
  const cfg = bundle.manifest.decoder.config;
  const params = new Map<string, TypedData>();
  for (const [name, data] of bundle.decoder) params.set(name, new Float32Array(data.length));
  (params.get('decoder.ln.weight') as Float32Array).fill(1);
  const tok = params.get('decoder.tok.weight') as Float32Array; // [vocab, width]
  const head = params.get('decoder.head.weight') as Float32Array; // [width, vocab]
  // Token PHRASE[k] (and the start token, as k = 4) lights up dimension k, which votes for the next token of the phrase.
  [...PHRASE, bos].forEach((t, k) => {
    tok[t * cfg.width + k] = 1;
    head[k * cfg.vocab + (t === bos ? PHRASE[0] : PHRASE[(k + 1) % PHRASE.length])] = 10;
  });
  gen = await openGenerator(cfg, params);
});
afterAll(() => closeGenerator(gen));

const run = (o: { beam?: number; noRepeatNgram?: number }) => generate(gen, new Float32Array(2 * gen.cfg.condDim), 2, { bos, eos, ...o });

test('without the option the decoder repeats its phrase', async () => {
  for (const beam of [1, 3]) {
    for (const c of await run({ beam, noRepeatNgram: 0 })) {
      expect(c.tokens.slice(0, 8)).toEqual([...PHRASE, ...PHRASE]);
      expect(repeatedRun(c.tokens, 4)).not.toBeNull();
    }
  }
});

test.each([2, 3, 4, 5])('with noRepeatNgram %i no beam repeats an n-gram, greedy or beam', async (n) => {
  for (const beam of [1, 3]) {
    for (const c of await run({ beam, noRepeatNgram: n })) {
      expect(c.tokens.slice(0, n)).toEqual([...PHRASE, ...PHRASE].slice(0, n)); // the phrase itself is still said
      expect(repeatedRun(c.tokens, n)).toBeNull();
      expect(Number.isFinite(c.confidence)).toBe(true);
    }
  }
});

test(`the default is ${DEFAULT_NO_REPEAT_NGRAM}`, async () => {
  const [c] = await run({});
  expect(c.tokens.slice(0, 4)).toEqual(PHRASE);
  expect(repeatedRun(c.tokens, DEFAULT_NO_REPEAT_NGRAM)).toBeNull();
});

test('repeatingTokens names the tokens that would complete an n-gram already there', () => {
  expect(repeatingTokens([1, 2, 3, 1, 2], 3)).toEqual(new Set([3]));
  expect(repeatingTokens([1, 2, 1, 3, 1], 2)).toEqual(new Set([2, 3]));
  expect(repeatingTokens([1, 2, 3], 1)).toEqual(new Set([1, 2, 3]));
  expect(repeatingTokens([1, 2, 3, 1, 2], 0)).toEqual(new Set());
  expect(repeatingTokens([1], 3)).toEqual(new Set());
});

test('a negative size is refused', async () => {
  await expect(run({ noRepeatNgram: -1 })).rejects.toThrow(/no-repeat/);
});
