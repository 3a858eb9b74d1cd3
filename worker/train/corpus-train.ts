/**
 * Trains a captioner from a caption corpus on a bundle's CLIP: text embeddings (cached), ē_text,
 * the denoiser on z0, stored augmentation draws, the decoder on them; then writes a new bundle
 * (to a temporary folder renamed into place, so a bundle appears only when complete) and scores it
 * on the held-out lines. Each stage keeps its state in `runDir`, so a killed run picks up again.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Bundle, ClipBundle, loadBundle, sha256File } from '../bundle/load';
import { diffusionSettings, Manifest } from '../bundle/manifest';
import { paramTensors, writeBundle } from '../bundle/write';
import { ClipEncoders } from '../clip/encoders';
import { ClipTokenizer } from '../clip/tokenizer';
import { readCorpus } from '../corpus/read';
import { meanOfNormalised } from '../diffusion';
import { DecoderConfig } from '../graph/decoder';
import { DenoiserConfig } from '../graph/denoiser';
import { RuntimeConfig, runtimeConfig } from '../runtime';
import { augment } from './augment';
import { DECODER_TRAINING, trainDecoder } from './decoder';
import { DENOISER_TRAINING, trainDenoiser } from './denoiser';
import { evalText, TextEval, textZ } from './eval-text';
import { readTensorFile, writeTensorFile } from './tensor-file';
import { embedTexts } from './text-embeddings';
import { Progress } from './trainer';
import { Rng } from './rng';
import { buildVocab, encodeCaptions, extendVocab, resizeDecoder } from './vocab';

export type Stage = 'corpus' | 'embed' | 'denoiser' | 'augment' | 'decoder' | 'write' | 'eval';

export interface CorpusTrainOptions {
  corpus: string;
  /** Fine-tuning: continue this bundle's denoiser and decoder (vocabulary extended, ē_text kept). */
  base?: Bundle;
  /** Fine-tuning against forgetting: lines of this corpus mixed in, `share` of the new corpus's count. */
  mix?: { corpus: string; share: number };
  /** Where the new bundle goes; must not exist yet. */
  out: string;
  name: string;
  version: string;
  runDir: string;
  seed: number;
  denoiserSteps: number;
  decoderSteps: number;
  /** Stored augmentation draws per caption. */
  draws: number;
  denoiser?: Partial<DenoiserConfig>;
  decoder?: Partial<DecoderConfig>;
  runtime?: RuntimeConfig;
  signal?: AbortSignal;
  onStage?: (stage: Stage, detail: string) => void;
  onProgress?: (stage: Stage, p: Progress) => void;
  cacheDir?: string;
  command?: string;
}

/** Sizes that fit the CLIP's embedding size: the paper's for 512-d CLIPs, small ones below. */
function defaults(dim: number): { denoiser: DenoiserConfig; decoder: Omit<DecoderConfig, 'vocab' | 'maxLen' | 'condDim'> } {
  const big = dim >= 256;
  return {
    denoiser: big ? { dim, width: 512, blocks: 3, hidden: 1024, timeDim: 128 } : { dim, width: 96, blocks: 2, hidden: 192, timeDim: 32 },
    decoder: big
      ? { width: 768, layers: 4, heads: 4, mlpRatio: 4, prefixTokens: 10, prefixHidden: 768, softPrompts: 10 }
      : { width: 64, layers: 2, heads: 4, mlpRatio: 4, prefixTokens: 2, prefixHidden: 64, softPrompts: 2 },
  };
}

export async function trainFromCorpus(clip: ClipBundle, o: CorpusTrainOptions): Promise<{ manifest: Manifest; eval: TextEval | null }> {
  if (fs.existsSync(o.out)) throw new Error(`train: ${o.out} already exists; choose a new folder (bundles are never overwritten)`);
  const m = clip.manifest;
  const settings = diffusionSettings(m);
  const runtime = o.runtime ?? runtimeConfig();
  const stage = (s: Stage, d: string) => o.onStage?.(s, d);
  fs.mkdirSync(o.runDir, { recursive: true });

  stage('corpus', o.corpus);
  const corpus = await readCorpus(o.corpus);
  const lines = [...corpus.train];
  if (o.mix) {
    const old = (await readCorpus(o.mix.corpus)).train;
    const count = Math.min(old.length, Math.round(o.mix.share * corpus.train.length));
    const pick = new Rng(o.seed, 9).permutation(old.length).subarray(0, count);
    for (const i of pick) lines.push(old[i]);
  }
  const tok = ClipTokenizer.load(clip.file(m.clip.tokenizer));
  const tokenized = lines.map((l) => tok.tokens(l));
  const vocab = o.base ? extendVocab(o.base.vocab, tokenized) : buildVocab(tokenized, tok);
  const captions = encodeCaptions(tokenized, vocab, lines);
  const longest = captions.reduce((a, c) => Math.max(a, c.length), 0);

  stage('embed', `${lines.length} captions`);
  const enc = await ClipEncoders.open(clip.file(m.clip.vision), clip.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: m.clip.embedDim }, runtime);
  let embeds: Float32Array;
  try {
    embeds = await embedTexts(enc, tok, m.files[m.clip.text].sha256, m.clip.contextLength, lines, { cacheDir: o.cacheDir, signal: o.signal });
  } finally {
    await enc.close();
  }
  const dim = m.clip.embedDim;
  // A fine-tune keeps ē_text: the denoiser it continues was trained in that space.
  const textMean = o.base ? o.base.textMean : meanOfNormalised(embeds, dim);
  const z0 = textZ(embeds, textMean, settings.scale);
  const sizes = defaults(dim);
  const dnCfg: DenoiserConfig = o.base ? o.base.manifest.diffusion.denoiser : { ...sizes.denoiser, ...o.denoiser, dim };
  const diffusion = { steps: settings.steps, cosineS: settings.cosineS, scale: settings.scale };

  stage('denoiser', `${o.denoiserSteps} steps`);
  const dn = await trainDenoiser(z0, dnCfg, diffusion, {
    ...DENOISER_TRAINING, steps: o.denoiserSteps, seed: o.seed, runDir: path.join(o.runDir, 'denoiser'), signal: o.signal, runtime,
    lr: o.base ? 3e-4 : 1e-3, init: o.base?.denoiser, onProgress: (p) => o.onProgress?.('denoiser', p),
  });
  if (dn.cancelled) throw new Error('train: cancelled (run again to resume)');

  stage('augment', `${o.draws} draws per caption at A = ${settings.augmentStep}`);
  const augFile = path.join(o.runDir, 'augment.safetensors');
  let conds: Float32Array;
  const saved = fs.existsSync(augFile) ? readTensorFile(augFile) : null;
  if (saved && (saved.meta as { draws: number }).draws === o.draws && saved.tensors.conds.data.length === o.draws * z0.length) conds = saved.tensors.conds.data as Float32Array;
  else {
    conds = await augment(z0, dn.ema!, dnCfg, diffusion, { step: settings.augmentStep, ddimSteps: settings.ddimSteps, draws: o.draws, seed: o.seed, runtime });
    writeTensorFile(augFile, { conds: { dtype: 'float32', shape: [o.draws, lines.length, dim], data: conds } }, { draws: o.draws });
  }

  stage('decoder', `${o.decoderSteps} steps, vocabulary ${vocab.length}`);
  const baseCfg = o.base?.manifest.decoder.config;
  const decCfg: DecoderConfig = baseCfg ? { ...baseCfg, vocab: vocab.length } : { ...sizes.decoder, ...o.decoder, vocab: vocab.length, maxLen: Math.min(40, longest + 2), condDim: dim };
  const decInit = o.base && baseCfg ? resizeDecoder(o.base.decoder, baseCfg, vocab.length, o.seed) : undefined;
  const dec = await trainDecoder(captions, conds, decCfg, {
    ...DECODER_TRAINING, steps: o.decoderSteps, seed: o.seed, runDir: path.join(o.runDir, 'decoder'), signal: o.signal, runtime,
    init: decInit, lr: o.base ? 3e-4 : DECODER_TRAINING.lr, onProgress: (p) => o.onProgress?.('decoder', p),
  });
  if (dec.cancelled) throw new Error('train: cancelled (run again to resume)');

  stage('write', o.out);
  const tmp = `${o.out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const dot = tok.tokens('.');
  const means: Record<string, { dtype: 'float32'; shape: number[]; data: Float32Array }> = { text_mean: { dtype: 'float32', shape: [dim], data: textMean } };
  if (clip.imageMean) means.image_mean = { dtype: 'float32', shape: [dim], data: clip.imageMean };
  const manifest = writeBundle<Manifest>(
    tmp,
    {
      name: o.name,
      version: o.version,
      createdAt: new Date().toISOString(),
      provenance: {
        corpus: `${path.basename(o.corpus)} (sha256 ${sha256File(o.corpus)}; ${corpus.report.train} train / ${corpus.report.heldOut} held-out lines)`,
        seeds: { train: o.seed },
        commands: [o.command ?? `trainFromCorpus(${JSON.stringify({ corpus: o.corpus, seed: o.seed, denoiserSteps: o.denoiserSteps, decoderSteps: o.decoderSteps, draws: o.draws })})`],
        notes: o.base ? `fine-tuned from ${o.base.manifest.name}@${o.base.manifest.version}${o.mix ? ` with ${o.mix.share} x ${path.basename(o.mix.corpus)} mixed in` : ''}` : `CLIP from ${m.name}@${m.version}`,
      },
      clip: m.clip,
      diffusion: { ...settings, denoiser: dnCfg, weights: 'denoiser.safetensors' },
      means: 'means.safetensors',
      decoder: { config: decCfg, weights: 'decoder.safetensors', vocab: 'decoder-vocab.json', bos: 1, eos: 2, stop: dot.length === 1 && vocab.includes(dot[0]) ? [vocab.indexOf(dot[0])] : [] },
    },
    {
      // Every CLIP file (models, tokenizer.json and its config) goes along unchanged.
      ...Object.fromEntries(Object.keys(m.files).filter((rel) => rel.startsWith('clip/')).map((rel) => [rel, fs.readFileSync(clip.file(rel))])),
      'denoiser.safetensors': { tensors: paramTensors(dn.ema!, dn.shapes) },
      'decoder.safetensors': { tensors: paramTensors(dec.params, dec.shapes) },
      'decoder-vocab.json': JSON.stringify(vocab),
      'means.safetensors': { tensors: means },
    },
  );
  fs.renameSync(tmp, o.out);

  if (corpus.heldOut.length === 0) return { manifest, eval: null };
  stage('eval', `${corpus.heldOut.length} held-out lines`);
  return { manifest, eval: await evalText(loadBundle(o.out), corpus.heldOut, { runtime, cacheDir: o.cacheDir }) };
}
