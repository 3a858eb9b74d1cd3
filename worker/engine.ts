/**
 * The captioning side of the queue worker, free of Strapi: one image's bytes -> a caption with the
 * settings of the moment. Keeps one Captioner open for the active bundle and swaps it when the
 * bundle changes; runs are serialised so that each has the machine's threads to itself (the
 * queue's concurrency still overlaps file loading and DB work).
 *
 * A run may be given a time limit, counted from when the engine starts it (not while it waits for
 * the run before it). Past the limit the call fails with RunTimeout and the next run starts: the
 * late run cannot be stopped, so it finishes beside it with its result dropped (safe: a Captioner
 * keeps no state between calls, each run's decoder cache is its own), and its Captioner is closed
 * only once it has settled (a bundle swap or close() waits for it, the queue does not). The limit
 * fires between the run's steps: onnxruntime-node runs a session on the main thread, so what it
 * catches is a stage that waits (image decoding), while the bounds on M, S and tokens keep each
 * session run short.
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

/** A run that went past its time limit: "took longer than N s". */
export class RunTimeout extends Error {
  override name = 'RunTimeout';
}

interface Open {
  ref: string;
  captioner: Captioner;
  /** Runs on this Captioner not yet settled, those given up on by a time limit included. */
  runs: Set<Promise<unknown>>;
}

export class CaptionEngine {
  private open: Open | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Captioners swapped out, closing once their late runs settle. */
  private readonly retiring = new Set<Promise<void>>();

  /** The caption of one image; throws UnreadableImageError with the engine's reason for a bad image. */
  caption(name: string, data: Buffer, s: EngineSettings, o: { timeoutMs?: number } = {}): Promise<CaptionResult> {
    const run = this.queue.then(async () => {
      const open = await this.captionerFor(s.bundle);
      const work = open.captioner.caption([{ name, data }], { m: s.m, steps: s.steps, beam: s.beam, maxTokens: s.maxTokens, batchSize: 1 });
      open.runs.add(work);
      const settled = () => open.runs.delete(work);
      void work.then(settled, settled);
      const [result] = await (o.timeoutMs === undefined ? work : within(work, o.timeoutMs));
      if (isFailure(result)) throw new UnreadableImageError(result.error);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async captionerFor(ref: string): Promise<Open> {
    if (this.open?.ref === ref) return this.open;
    // Opening first means a bundle that fails to load leaves the previous one in service.
    const captioner = await Captioner.open(loadBundle(ref));
    const old = this.open;
    this.open = { ref, captioner, runs: new Set() };
    if (old) this.retire(old);
    return this.open;
  }

  /** Closes a Captioner once no run uses it, without holding up the runs after it. */
  private retire(old: Open): void {
    const closing = Promise.allSettled([...old.runs]).then(() => old.captioner.close());
    this.retiring.add(closing);
    const settled = () => this.retiring.delete(closing);
    void closing.then(settled, settled);
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.open) this.retire(this.open);
    this.open = null;
    await Promise.all([...this.retiring]);
  }
}

/** `work`, or a RunTimeout once `ms` have passed. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RunTimeout(`took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
