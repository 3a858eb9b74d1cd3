/**
 * Stage `decoder`: trains the decoder on the stored draws. A fine-tune continues the base's decoder
 * with its vocabulary grown (old rows kept) at a lower rate.
 */
import * as path from 'path';
import { DecoderConfig } from '../../graph/decoder';
import { DECODER_TRAINING, trainDecoder } from '../decoder';
import { resizeDecoder } from '../vocab';
import { captionerSizes } from './sizes';
import { cancelled, need, StageFn } from './state';

export const decoderStage: StageFn = async (s, io) => {
  const { vocab, captions } = need(s.text, 'the corpus');
  const conds = need(s.conds, 'the augmentation draws');
  const { o } = s;
  const dim = s.clip.manifest.clip.embedDim;
  const baseCfg = o.base?.manifest.decoder.config;
  const longest = captions.reduce((a, c) => Math.max(a, c.length), 0);
  const cfg: DecoderConfig = baseCfg ? { ...baseCfg, vocab: vocab.length } : { ...captionerSizes(dim).decoder, ...o.decoder, vocab: vocab.length, maxLen: Math.min(40, longest + 2), condDim: dim };
  io.announce(`${o.decoderSteps} steps, vocabulary ${vocab.length}`);
  const trained = await trainDecoder(captions, conds, cfg, {
    ...DECODER_TRAINING,
    steps: o.decoderSteps,
    seed: o.seed,
    runDir: path.join(o.runDir, 'decoder'),
    signal: o.signal,
    runtime: s.runtime,
    init: o.base && baseCfg ? resizeDecoder(o.base.decoder, baseCfg, vocab.length, o.seed) : undefined,
    lr: o.base ? 3e-4 : DECODER_TRAINING.lr,
    onProgress: io.progress,
  });
  if (trained.cancelled) throw cancelled();
  s.decoder = { cfg, trained };
};
