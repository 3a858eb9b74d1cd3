/** Decoder training from corpus captions with a corpus-restricted vocabulary, and growing that vocabulary. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../../../worker/bundle/load';
import { makeRandomBundle } from '../../../worker/bundle/random';
import { ClipTokenizer } from '../../../worker/clip/tokenizer';
import { toy } from '../../../worker/train/toy';
import { DecoderConfig } from '../../../worker/graph/decoder';
import { closeGenerator, generate, openGenerator } from '../../../worker/generate';
import { Rng } from '../../../worker/train/rng';
import { DECODER_TRAINING, trainDecoder } from '../../../worker/train/decoder';
import { BOS, buildVocab, encodeCaptions, EOS, extendVocab, resizeDecoder } from '../../../worker/train/vocab';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-dec-'));
let tok: ClipTokenizer;
beforeAll(() => {
  makeRandomBundle(path.join(root, 'b'), 'tiny', 1);
  const b = loadBundle(path.join(root, 'b'));
  tok = ClipTokenizer.load(b.file(b.manifest.clip.tokenizer));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('the vocabulary holds padding, start, end and exactly the corpus tokens; extending keeps old ids', () => {
  const lines = ['a red circle.', 'a blue square.'];
  const tokenized = lines.map((l) => tok.tokens(l));
  const vocab = buildVocab(tokenized, tok);
  expect(vocab.slice(0, 3)).toEqual([tok.pad, tok.bos, tok.eos]);
  expect(new Set(vocab.slice(3))).toEqual(new Set(tokenized.flat()));
  const ids = encodeCaptions(tokenized, vocab, lines);
  expect(ids.flat().every((i) => i >= 3 && i < vocab.length)).toBe(true);
  expect(() => encodeCaptions([tok.tokens('a green star.')], vocab, ['a green star.'])).toThrow(/decoder vocabulary lacks token \d+ of "a green star\."/);
  const grown = extendVocab(vocab, [tok.tokens('a green star.')]);
  expect(grown.slice(0, vocab.length)).toEqual(vocab);
  expect(encodeCaptions([tok.tokens('a green star.')], grown, ['a green star.'])[0].some((i) => i >= vocab.length)).toBe(true);
});

test('a decoder trained on noisy draws of each caption condition generates the captions from clean conditions', async () => {
  const { lines } = toy();
  const tokenized = lines.map((l) => tok.tokens(`${l}.`));
  const vocab = buildVocab(tokenized, tok);
  const captions = encodeCaptions(tokenized, vocab, lines);
  const dim = 16;
  const rng = new Rng(4);
  const clean = Float32Array.from({ length: lines.length * dim }, () => rng.normal());
  const K = 3;
  const conds = Float32Array.from({ length: K * clean.length }, (_, i) => clean[i % clean.length] + 0.05 * rng.normal());
  const cfg: DecoderConfig = { vocab: vocab.length, width: 64, layers: 2, heads: 4, mlpRatio: 4, maxLen: 16, condDim: dim, prefixTokens: 2, prefixHidden: 64, softPrompts: 2 };
  const r = await trainDecoder(captions, conds, cfg, { ...DECODER_TRAINING, steps: 400, lr: 3e-3, warmup: 20, smoothing: 0, weightDecay: 0 });
  console.log(`decoder: 400 steps, loss ${r.history[399].loss.toFixed(4)}`);
  const gen = await openGenerator(cfg, r.params);
  const out = await generate(gen, clean, lines.length, { bos: BOS, eos: EOS, beam: 1 });
  await closeGenerator(gen);
  const texts = out.map((c) => tok.decode(c.tokens.map((d) => vocab[d])));
  expect(texts).toEqual(lines.map((l) => `${l}.`));

  // Growing the vocabulary keeps what was learnt for the old tokens.
  const grown = extendVocab(vocab, [tok.tokens('a purple hexagon.')]);
  const bigger = resizeDecoder(r.params, cfg, grown.length, 1);
  const gen2 = await openGenerator({ ...cfg, vocab: grown.length }, bigger);
  const out2 = await generate(gen2, clean.subarray(0, 8 * dim), 8, { bos: BOS, eos: EOS, beam: 1 });
  await closeGenerator(gen2);
  expect(out2.map((c) => tok.decode(c.tokens.map((d) => grown[d])))).toEqual(lines.slice(0, 8).map((l) => `${l}.`));
});
