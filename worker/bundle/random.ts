/**
 * Random-weight bundles with the real I/O contract, made by the project itself: a tiny one for
 * tests and a ViT-B/32-shaped one whose timings are the real model's (speed does not depend on
 * weight values). Seeded, so the same command makes the same files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeClipTokenizer, tokenizerJsonText } from '../clip/make-tokenizer';
import { ClipTokenizer } from '../clip/tokenizer';
import { toy } from '../train/toy';
import { CLIP_TEXT_B, imageEncoder, textEncoder, TextConfig, VisionConfig, VIT_B32 } from '../graph/clip';
import { DecoderConfig, decoderTrain } from '../graph/decoder';
import { denoiser, DenoiserConfig } from '../graph/denoiser';
import { Graph, ParamSpec } from '../graph/graph';
import { buildInference } from '../graph/train-step';
import { BRIDGE_DEFAULTS, DIFFUSION_DEFAULTS } from '../diffusion';
import { CLIP_MEAN, CLIP_STD } from '../clip/preprocess';
import { Rng } from '../train/rng';
import { initialValue } from '../train/trainer';
import { Manifest } from './manifest';
import { paramTensors, writeBundle } from './write';

export type RandomSize = 'tiny' | 'vit-b32';

interface Sizes {
  vision: VisionConfig;
  text: (vocab: number) => TextConfig;
  denoiser: DenoiserConfig;
  decoder: (vocab: number) => DecoderConfig;
  /** Decoder vocabulary size; the speed bundle uses a corpus-sized one whatever the tokenizer has. */
  decoderVocab?: number;
}

const SIZES: Record<RandomSize, Sizes> = {
  tiny: {
    vision: { imageSize: 32, patch: 8, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 },
    text: (vocab) => ({ vocab, contextLength: 16, width: 32, layers: 1, heads: 2, mlpRatio: 2, embedDim: 16 }),
    denoiser: { dim: 16, width: 32, blocks: 2, hidden: 64, timeDim: 16 },
    decoder: (vocab) => ({ vocab, width: 32, layers: 1, heads: 2, mlpRatio: 2, maxLen: 16, condDim: 16, prefixTokens: 2, prefixHidden: 32, softPrompts: 2 }),
  },
  // The paper's sizes: ViT-B/32 image tower, a ~4M-parameter denoiser, DeCap's 4-layer width-768 decoder.
  'vit-b32': {
    vision: VIT_B32,
    text: (vocab) => ({ ...CLIP_TEXT_B, vocab, width: 64, layers: 1, heads: 2 }),
    denoiser: { dim: 512, width: 512, blocks: 3, hidden: 1024, timeDim: 128 },
    decoder: (vocab) => ({ vocab, width: 768, layers: 4, heads: 4, mlpRatio: 4, maxLen: 40, condDim: 512, prefixTokens: 10, prefixHidden: 768, softPrompts: 10 }),
    decoderVocab: 5000,
  },
};

/** Seeded values for every parameter a network declares. */
function randomParams(build: (g: Graph) => unknown, seed: number, stream: number): { values: Map<string, Float32Array>; specs: ParamSpec[] } {
  const g = new Graph();
  build(g);
  const specs = g.params.map((p) => p.spec);
  const values = new Map(
    specs.map((s, i) => [
      s.name,
      initialValue(
        s.init,
        s.shape.reduce((a, b) => a * b, 1),
        new Rng(seed, stream, i),
      ),
    ]),
  );
  return { values, specs };
}

/** A tokenizer from tokenizer.json text, through the same loader bundles use. */
function loadTokenizerText(text: string): ClipTokenizer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-tok-'));
  try {
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), text);
    return ClipTokenizer.load(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const shapes = (specs: ParamSpec[]) => new Map(specs.map((s) => [s.name, s.shape]));

export function makeRandomBundle(dir: string, size: RandomSize, seed: number): Manifest {
  const s = SIZES[size];
  const tokText = tokenizerJsonText(makeClipTokenizer(toy().lines.concat(['a photo of a cat.', 'a dog on a sofa.']), { vocabSize: 600 }));
  const tok = loadTokenizerText(tokText);
  const vocabSize = tok.vocabSize;
  const dot = tok.tokens('.');
  const decVocab = s.decoderVocab ?? vocabSize;
  // Decoder id i stands for tokenizer id i (wrapping for the speed bundle's larger vocabulary).
  const vocab = Array.from({ length: decVocab }, (_, i) => i % vocabSize);
  const text = s.text(vocabSize);
  const vision = randomParams(imageEncoder(s.vision), seed, 1);
  const textNet = randomParams(textEncoder(text), seed, 2);
  const dn = randomParams((g) => denoiser(g.input('x', 'float32', ['B', s.denoiser.dim]), g.input('t', 'float32', ['B']), s.denoiser), seed, 3);
  const decCfg = s.decoder(decVocab);
  const dec = randomParams(decoderTrain(decCfg, { smoothing: 0, ignoreIndex: 0 }), seed, 4);
  const dim = s.vision.embedDim;
  const rng = new Rng(seed, 5);
  const vec = () => Float32Array.from({ length: dim }, () => 0.1 * rng.normal());
  return writeBundle(
    dir,
    {
      name: `random-${size}`,
      version: `0.0.${seed}`,
      createdAt: new Date().toISOString(),
      provenance: {
        corpus: 'none (random weights)',
        seeds: { weights: seed },
        commands: [`npx altbridge models make-random --out ${dir} --size ${size} --seed ${seed}`],
        notes: 'random weights: for tests and speed measurements only',
      },
      clip: {
        vision: 'clip/vision_model.onnx',
        text: 'clip/text_model.onnx',
        tokenizer: 'clip/tokenizer.json',
        imageSize: s.vision.imageSize,
        mean: CLIP_MEAN,
        std: CLIP_STD,
        embedDim: dim,
        contextLength: text.contextLength,
      },
      diffusion: { ...DIFFUSION_DEFAULTS, ...BRIDGE_DEFAULTS, schedule: 'cosine', objective: 'pred-x0', denoiser: s.denoiser, weights: 'denoiser.safetensors' },
      means: 'means.safetensors',
      decoder: { config: decCfg, weights: 'decoder.safetensors', vocab: 'decoder-vocab.json', bos: tok.bos, eos: tok.eos, stop: dot.length === 1 ? [dot[0]] : [] },
    },
    {
      'clip/vision_model.onnx': buildInference(imageEncoder(s.vision), vision.values),
      'clip/text_model.onnx': buildInference(textEncoder(text), textNet.values),
      'clip/tokenizer.json': tokText,
      'denoiser.safetensors': { tensors: paramTensors(dn.values, shapes(dn.specs)) },
      'decoder.safetensors': { tensors: paramTensors(dec.values, shapes(dec.specs)) },
      'decoder-vocab.json': JSON.stringify(vocab),
      'means.safetensors': { tensors: { text_mean: { dtype: 'float32', shape: [dim], data: vec() }, image_mean: { dtype: 'float32', shape: [dim], data: vec() } } },
    },
  );
}
