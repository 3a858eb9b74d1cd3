/** Network sizes of a new captioner that fit the CLIP's embedding size: the paper's for 512-d CLIPs, small ones below. */
import { DecoderConfig } from '../../graph/decoder';
import { DenoiserConfig } from '../../graph/denoiser';

export function captionerSizes(dim: number): { denoiser: DenoiserConfig; decoder: Omit<DecoderConfig, 'vocab' | 'maxLen' | 'condDim'> } {
  const big = dim >= 256;
  return {
    denoiser: big ? { dim, width: 512, blocks: 3, hidden: 1024, timeDim: 128 } : { dim, width: 96, blocks: 2, hidden: 192, timeDim: 32 },
    decoder: big
      ? { width: 768, layers: 4, heads: 4, mlpRatio: 4, prefixTokens: 10, prefixHidden: 768, softPrompts: 10 }
      : { width: 64, layers: 2, heads: 4, mlpRatio: 4, prefixTokens: 2, prefixHidden: 64, softPrompts: 2 },
  };
}
