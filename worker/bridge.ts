/**
 * Runs diffusion bridging for a bundle: one session per (M, S), built on first use from the
 * bundle's denoiser weights, ē_img and schedule.
 */
import * as ort from 'onnxruntime-node';
import { Bundle } from './bundle/load';
import { alphasCumprod, ddimTimesteps } from './diffusion';
import { bridgeNet } from './graph/bridge';
import { denoiser } from './graph/denoiser';
import { buildInference } from './graph/train-step';
import { openSession, RuntimeConfig } from './runtime';

export class Bridge {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly alphas: Float64Array;

  constructor(private readonly bundle: Bundle, private readonly runtime: RuntimeConfig, private readonly log?: (l: string) => void) {
    const d = bundle.manifest.diffusion;
    this.alphas = alphasCumprod({ steps: d.steps, cosineS: d.cosineS, scale: d.scale });
  }

  private session(m: number, s: number): Promise<ort.InferenceSession> {
    const key = `${m}/${s}`;
    let session = this.sessions.get(key);
    if (!session) {
      const { manifest, imageMean } = this.bundle;
      if (!imageMean) throw new Error(`bundle ${manifest.name}@${manifest.version} has no ē_img yet (mean image embedding): compute it with \`altbridge images-mean\` before captioning`);
      if (m > manifest.diffusion.steps) throw new Error(`bridge: M must be at most T = ${manifest.diffusion.steps}, got ${m}`);
      const times = ddimTimesteps(m, s);
      const d = manifest.diffusion;
      const net = bridgeNet({ dim: manifest.clip.embedDim, imageMean, scale: d.scale, alphas: this.alphas, times, denoise: (x, t) => denoiser(x, t, d.denoiser) });
      session = openSession(buildInference(net, this.bundle.denoiser), this.runtime, `bridge M=${m} S=${s}`, this.log);
      this.sessions.set(key, session);
    }
    return session;
  }

  /** Image embeddings [B, D] -> bridged embeddings [B, D] (radius C), from step M in S DDIM steps. */
  async run(embeds: Float32Array, batch: number, m: number, s: number): Promise<Float32Array> {
    const session = await this.session(m, s);
    const out = await session.run({ image_embeds: new ort.Tensor('float32', embeds, [batch, this.bundle.manifest.clip.embedDim]) });
    return out.bridged.data as Float32Array;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
  }
}
