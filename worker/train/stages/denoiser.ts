/** Stage `denoiser`: trains (or, for a fine-tune, continues at a lower rate) the denoiser on the lines' z0. */
import * as path from 'path';
import { DenoiserConfig } from '../../graph/denoiser';
import { DENOISER_TRAINING, trainDenoiser } from '../denoiser';
import { captionerSizes } from './sizes';
import { cancelled, need, StageFn } from './state';

export const denoiserStage: StageFn = async (s, io) => {
  const { z0 } = need(s.space, 'the embeddings');
  const { o, diffusion } = s;
  const dim = s.clip.manifest.clip.embedDim;
  const cfg: DenoiserConfig = o.base ? o.base.manifest.diffusion.denoiser : { ...captionerSizes(dim).denoiser, ...o.denoiser, dim };
  io.announce(`${o.denoiserSteps} steps`);
  const trained = await trainDenoiser(z0, cfg, diffusion, {
    ...DENOISER_TRAINING,
    steps: o.denoiserSteps,
    seed: o.seed,
    runDir: path.join(o.runDir, 'denoiser'),
    signal: o.signal,
    runtime: s.runtime,
    lr: o.base ? 3e-4 : 1e-3,
    init: o.base?.denoiser,
    onProgress: io.progress,
  });
  if (trained.cancelled) throw cancelled();
  s.denoiser = { cfg, trained };
};
