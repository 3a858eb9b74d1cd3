/**
 * Runs diffusion bridging for a bundle: eq. 6 in TypeScript, then DDIM as S runs of one
 * denoiser-step session (worker/graph/bridge.ts's ddimStepNet). The session is built once per
 * bundle, on first use, and serves every M and S: no request builds a graph or grows a cache.
 */
import * as ort from 'onnxruntime-node';
import { Bundle } from './bundle/load';
import { alphasCumprod, bridgingSchedule, toDiffusionSpace } from './diffusion';
import { ddimCoefficients, ddimStepNet } from './graph/bridge';
import { denoiser } from './graph/denoiser';
import { buildInference } from './graph/train-step';
import { openSession, RuntimeConfig } from './runtime';

export class Bridge {
  private step: Promise<ort.InferenceSession> | null = null;
  private readonly alphas: Float64Array;

  constructor(
    private readonly bundle: Bundle,
    private readonly runtime: RuntimeConfig,
    private readonly log?: (l: string) => void,
  ) {
    const d = bundle.manifest.diffusion;
    this.alphas = alphasCumprod({ steps: d.steps, cosineS: d.cosineS, scale: d.scale });
  }

  private session(): Promise<ort.InferenceSession> {
    const d = this.bundle.manifest.diffusion;
    this.step ??= openSession(
      buildInference(ddimStepNet({ dim: this.bundle.manifest.clip.embedDim, scale: d.scale, denoise: (x, t) => denoiser(x, t, d.denoiser) }), this.bundle.denoiser),
      this.runtime,
      'bridge step',
      this.log,
    );
    return this.step;
  }

  /** Image embeddings [B, D] -> bridged embeddings [B, D] (radius C), from step M in S DDIM steps. */
  async run(embeds: Float32Array, batch: number, m: number, s: number): Promise<Float32Array> {
    const { manifest, imageMean } = this.bundle;
    if (!imageMean) throw new Error(`bundle ${manifest.name}@${manifest.version} has no ē_img yet (mean image embedding): compute it with \`altbridge images-mean\` before captioning`);
    if (m > manifest.diffusion.steps) throw new Error(`bridge: M must be at most T = ${manifest.diffusion.steps}, got ${m}`);
    // S is given, so the schedule's default is unused; it checks M and S as every caller's are.
    const { timesteps } = bridgingSchedule(m, s, s);
    const dim = manifest.clip.embedDim;
    let x: Float32Array = new Float32Array(batch * dim);
    for (let r = 0; r < batch; r++) x.set(toDiffusionSpace(embeds.subarray(r * dim, (r + 1) * dim), imageMean, manifest.diffusion.scale), r * dim);
    if (timesteps.length === 0) return x;
    const session = await this.session();
    const scalar = (v: number, dims: number[] = []) => new ort.Tensor('float32', Float32Array.of(v), dims);
    for (let k = 0; k < timesteps.length; k++) {
      const { c1, c2 } = ddimCoefficients(timesteps, this.alphas, k);
      const out = await session.run({ x: new ort.Tensor('float32', x, [batch, dim]), t: scalar(timesteps[k], [1]), c1: scalar(c1), c2: scalar(c2) });
      x = out.next.data as Float32Array;
    }
    return x;
  }

  async close(): Promise<void> {
    const step = this.step;
    this.step = null;
    if (step) await (await step).release();
  }
}
