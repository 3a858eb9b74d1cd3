/**
 * Stage `augment`: K diffusion-augmented draws per line (eq. 7) with the trained denoiser's EMA
 * weights, stored in the run folder so that a resumed run does not draw them again; draws made at
 * another step or count are made again, and the decoder's checkpoints on them go.
 */
import * as fs from 'fs';
import * as path from 'path';
import { augment } from '../augment';
import { readTensorFile, writeTensorFile } from '../tensor-file';
import { need, StageFn } from './state';

export const augmentStage: StageFn = async (s, io) => {
  const { z0 } = need(s.space, 'the embeddings');
  const { cfg, trained } = need(s.denoiser, 'the denoiser');
  const { o, diffusion } = s;
  io.announce(`${o.draws} draws per caption at A = ${diffusion.augmentStep}`);
  const file = path.join(o.runDir, 'augment.safetensors');
  const saved = fs.existsSync(file) ? readTensorFile(file) : null;
  const meta = { draws: o.draws, step: diffusion.augmentStep };
  if (saved && JSON.stringify(saved.meta) === JSON.stringify(meta) && saved.tensors.conds.data.length === o.draws * z0.length) {
    s.conds = saved.tensors.conds.data as Float32Array;
    return;
  }
  // A decoder checkpointed on draws of another step or count must not be continued on these.
  if (saved) fs.rmSync(path.join(o.runDir, 'decoder'), { recursive: true, force: true });
  s.conds = await augment(z0, trained.ema!, cfg, diffusion, { step: diffusion.augmentStep, ddimSteps: diffusion.ddimSteps, draws: o.draws, seed: o.seed, runtime: s.runtime });
  writeTensorFile(file, { conds: { dtype: 'float32', shape: [o.draws, z0.length / cfg.dim, cfg.dim], data: s.conds } }, meta);
};
