/** Training objectives, written with the same primitive ops so that they differentiate too. */
import { T } from './graph';
import * as o from './ops';

export interface CrossEntropyOpts {
  /** Share of the target mass spread uniformly over the vocabulary (PyTorch's label_smoothing). */
  smoothing?: number;
  /** Targets equal to this take no part in the loss or the accuracy. */
  ignoreIndex?: number;
}

/**
 * Mean softmax cross-entropy of logits [N, V] against int64 targets [N] over the positions that
 * are not ignored; also the number of those positions and how many the argmax gets right.
 */
export function crossEntropy(logits: T, targets: T, opts: CrossEntropyOpts = {}): { loss: T; correct: T; count: T } {
  const g = logits.g;
  const eps = opts.smoothing ?? 0;
  const logp = o.logSoftmax(logits, -1);
  const ignored = o.equal(targets, g.constant([opts.ignoreIndex ?? -100], [], 'int64'));
  const valid = o.cast(o.not(ignored), g.float);
  const safe = o.where(ignored, g.constant([0], [], 'int64'), targets);
  const picked = o.reshape(o.gatherElements(logp, o.unsqueeze(safe, [-1]), 1), [-1]);
  let perToken = o.neg(picked);
  if (eps > 0) perToken = o.sub(o.mul(perToken, 1 - eps), o.mul(o.reduceMean(logp, [-1]), eps));
  const count = o.reduceSum(valid, [0]);
  const loss = o.div(o.reduceSum(o.mul(perToken, valid), [0]), o.max(count, 1));
  const hit = o.cast(o.equal(o.argMax(logits, -1), safe), g.float);
  return { loss, correct: o.reduceSum(o.mul(hit, valid), [0]), count };
}

/**
 * Mean squared error of pred and target [B, ...], averaged per sample and then over the batch,
 * each sample weighted by `weight` [B] when given (the diffusion SNR weighting).
 */
export function mse(pred: T, target: T, weight?: T): T {
  const d = o.sub(pred, target);
  const inner = pred.shape.slice(1).map((_, i) => i + 1);
  let perSample = inner.length ? o.reduceMean(o.mul(d, d), inner) : o.mul(d, d);
  if (weight) perSample = o.mul(perSample, weight);
  return o.reduceMean(perSample, [0]);
}

/** Rows of x scaled to unit length. */
export const normalise = (x: T): T => o.div(x, o.sqrt(o.add(o.reduceSum(o.mul(x, x), [-1], true), 1e-12)));

/**
 * Mean binary cross-entropy of logits [B, A] against 0/1 targets [B, A]: softplus(z) - y·z per
 * label, softplus(z) = max(z, 0) + log(1 + e^-|z|) so that no e^z overflows.
 */
export function binaryCrossEntropy(logits: T, targets: T): T {
  const positive = o.relu(logits);
  const abs = o.add(positive, o.relu(o.neg(logits)));
  const softplus = o.add(positive, o.log(o.add(o.exp(o.neg(abs)), 1)));
  return o.reduceMean(o.sub(softplus, o.mul(targets, logits)), [0, 1]);
}

/**
 * Symmetric InfoNCE (CLIP's loss) of paired rows of a [B, E] and b [B, E]; the temperature is
 * learnt as `logScale` (a scalar parameter, logits scaled by exp(logScale)). `candidates` [B', E],
 * when given, are the rows each a row is contrasted with: b's B rows first, then rows that pair with
 * nothing (hard negatives); the b -> a direction stays over the B pairs.
 */
export function infoNCE(a: T, b: T, logScale: T, candidates: T = b): T {
  const na = normalise(a);
  const scores = (x: T) => o.mul(o.gemm(na, normalise(x), null, { transB: true }), o.exp(logScale));
  const logits = scores(b);
  const n = o.slice(o.shapeOf(a), 0, 0, 1);
  const labels = o.range(o.reshape(n, []), a.shape[0]);
  const ab = crossEntropy(candidates === b ? logits : scores(candidates), labels).loss;
  const ba = crossEntropy(o.transpose(logits, [1, 0]), labels).loss;
  return o.mul(o.add(ab, ba), 0.5);
}
