/**
 * Stage `write`: the new bundle (CLIP files copied unchanged, the EMA denoiser, the decoder, its
 * vocabulary, ē_text, ē_img and the image domain, which depend on CLIP alone, and the corpus
 * matrix: the training lines in diffusion space, for each caption's nearestCaption) written to a
 * temporary folder renamed into place, so a bundle appears only when complete.
 */
import * as fs from 'fs';
import * as path from 'path';
import { sha256File } from '../../bundle/load';
import { Manifest } from '../../bundle/manifest';
import { paramTensors, writeBundle } from '../../bundle/write';
import { corpusContent, corpusMatrix } from '../../nearest-caption';
import { StoredTensor } from '../tensor-file';
import { need, StageFn, TrainState } from './state';

function provenance(s: TrainState): Manifest['provenance'] {
  const { o } = s;
  const { report } = need(s.text, 'the corpus');
  const clip = s.clip.manifest;
  return {
    corpus: `${path.basename(o.corpus)} (sha256 ${sha256File(o.corpus)}; ${report.train} train / ${report.heldOut} held-out lines)`,
    seeds: { train: o.seed },
    commands: [o.command ?? `trainFromCorpus(${JSON.stringify({ corpus: o.corpus, seed: o.seed, denoiserSteps: o.denoiserSteps, decoderSteps: o.decoderSteps, draws: o.draws })})`],
    notes: o.base
      ? `fine-tuned from ${o.base.manifest.name}@${o.base.manifest.version}${o.mix ? ` with ${o.mix.share} x ${path.basename(o.mix.corpus)} mixed in` : ''}`
      : `CLIP from ${clip.name}@${clip.version}`,
  };
}

export const writeStage: StageFn = async (s, io) => {
  const { tok, vocab, lines } = need(s.text, 'the corpus');
  const { textMean, z0 } = need(s.space, 'the embeddings');
  const dn = need(s.denoiser, 'the denoiser');
  const dec = need(s.decoder, 'the decoder');
  const { o, clip } = s;
  const m = clip.manifest;
  const dim = m.clip.embedDim;
  io.announce(o.out);
  const tmp = `${o.out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const dot = tok.tokens('.');
  const means: Record<string, StoredTensor> = { text_mean: { dtype: 'float32', shape: [dim], data: textMean } };
  if (clip.imageMean) means.image_mean = { dtype: 'float32', shape: [dim], data: clip.imageMean };
  const corpus = corpusContent(corpusMatrix(lines, z0, dim, o.seed), dim);
  s.manifest = writeBundle<Manifest>(
    tmp,
    {
      name: o.name,
      version: o.version,
      createdAt: new Date().toISOString(),
      provenance: provenance(s),
      clip: m.clip,
      ...(m.domain ? { domain: m.domain } : {}),
      corpus: corpus.field,
      diffusion: { ...s.diffusion, denoiser: dn.cfg, weights: 'denoiser.safetensors' },
      means: 'means.safetensors',
      decoder: {
        config: dec.cfg,
        weights: 'decoder.safetensors',
        vocab: 'decoder-vocab.json',
        bos: 1,
        eos: 2,
        stop: dot.length === 1 && vocab.includes(dot[0]) ? [vocab.indexOf(dot[0])] : [],
      },
    },
    {
      // Every CLIP file (models, tokenizer.json and its config) goes along unchanged.
      ...Object.fromEntries(
        Object.keys(m.files)
          .filter((rel) => rel.startsWith('clip/'))
          .map((rel) => [rel, fs.readFileSync(clip.file(rel))]),
      ),
      'denoiser.safetensors': { tensors: paramTensors(dn.trained.ema!, dn.trained.shapes) },
      'decoder.safetensors': { tensors: paramTensors(dec.trained.params, dec.trained.shapes) },
      'decoder-vocab.json': JSON.stringify(vocab),
      'means.safetensors': { tensors: means },
      ...(m.domain ? { [m.domain.file]: fs.readFileSync(clip.file(m.domain.file)) } : {}),
      ...corpus.content,
    },
  );
  fs.renameSync(tmp, o.out);
};
