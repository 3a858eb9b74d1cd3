/** The product's captions of a bundle's validation images at each bridging depth tried, the sweep a bundle's default M is chosen from. */
import { loadBundle } from '../worker/bundle/load';
import { Captioner, isFailure } from '../worker/caption';
import { runtimeConfig } from '../worker/runtime';

/** Captions of `images` at each of `depths` ('' for an image the captioner failed on), in the depths' order. */
export async function captionsByDepth(bundleDir: string, images: string[], depths: readonly number[], beam: number): Promise<{ m: number; captions: string[] }[]> {
  const captioner = await Captioner.open(loadBundle(bundleDir), runtimeConfig());
  const out: { m: number; captions: string[] }[] = [];
  try {
    for (const m of depths) {
      const res = await captioner.caption(images, { m, beam });
      out.push({ m, captions: res.map((r) => (isFailure(r) ? '' : r.caption)) });
    }
  } finally {
    await captioner.close();
  }
  return out;
}
