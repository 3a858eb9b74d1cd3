/**
 * The captioning side of the queue worker, free of Strapi: one image's bytes -> a caption with the
 * settings of the moment. Keeps one Captioner open for the active bundle and swaps it when the
 * bundle changes; runs are serialised because the Captioner's sessions and decoder cache are not
 * meant for overlapping calls (the queue's concurrency still overlaps file loading and DB work).
 */
import { CaptionOptions, CaptionResult, Captioner, isFailure } from './caption';
import { loadBundle } from './bundle/load';

export interface EngineSettings extends Pick<CaptionOptions, 'm' | 'steps' | 'beam' | 'maxTokens'> {
  /** A bundle name, name@version or folder. */
  bundle: string;
}

/** An image the engine cannot read (corrupt, truncated, not an image): retrying will not help. */
export class UnreadableImageError extends Error {
  override name = 'UnreadableImageError';
}

export class CaptionEngine {
  private open: { ref: string; captioner: Captioner } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** The caption of one image; throws UnreadableImageError with the engine's reason for a bad image. */
  caption(name: string, data: Buffer, s: EngineSettings): Promise<CaptionResult> {
    const run = this.queue.then(async () => {
      const captioner = await this.captionerFor(s.bundle);
      const [result] = await captioner.caption([{ name, data }], { m: s.m, steps: s.steps, beam: s.beam, maxTokens: s.maxTokens, batchSize: 1 });
      if (isFailure(result)) throw new UnreadableImageError(result.error);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async captionerFor(ref: string): Promise<Captioner> {
    if (this.open?.ref === ref) return this.open.captioner;
    // Opening first means a bundle that fails to load leaves the previous one in service.
    const captioner = await Captioner.open(loadBundle(ref));
    const old = this.open;
    this.open = { ref, captioner };
    await old?.captioner.close();
    return captioner;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.open?.captioner.close();
    this.open = null;
  }
}
