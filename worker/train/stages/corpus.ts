/**
 * Stage `corpus`: the corpus's lines (plus, for a fine-tune, a seeded share of another corpus
 * against forgetting), tokenised with the bundle's CLIP tokenizer, and the decoder vocabulary: the
 * tokens the lines use, or the base's vocabulary extended by the new ones.
 */
import { ClipTokenizer } from '../../clip/tokenizer';
import { readCorpus } from '../../corpus/read';
import { Rng } from '../rng';
import { buildVocab, encodeCaptions, extendVocab } from '../vocab';
import { StageFn } from './state';

export const corpusStage: StageFn = async (s, io) => {
  const { o, clip } = s;
  io.announce(o.corpus);
  const corpus = await readCorpus(o.corpus, o.corpusOptions);
  const lines = [...corpus.train];
  if (o.mix) {
    const old = (await readCorpus(o.mix.corpus)).train;
    const count = Math.min(old.length, Math.round(o.mix.share * corpus.train.length));
    for (const i of new Rng(o.seed, 9).permutation(old.length).subarray(0, count)) lines.push(old[i]);
  }
  const tok = ClipTokenizer.load(clip.file(clip.manifest.clip.tokenizer));
  const tokenized = lines.map((l) => tok.tokens(l));
  const vocab = o.base ? extendVocab(o.base.vocab, tokenized) : buildVocab(tokenized, tok);
  s.text = { lines, heldOut: corpus.heldOut, report: corpus.report, tok, vocab, captions: encodeCaptions(tokenized, vocab, lines) };
};
