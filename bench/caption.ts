/**
 * `altbridge bench caption`: per-image latency by stage (preprocess, CLIP, bridge, decoder) for a
 * ViT-B/32-shaped CLIP with the paper's denoiser and decoder sizes (random weights: speed does not
 * depend on their values), at batch 1 and 8, with images/s, peak RSS and the cost of bridging
 * against M = 0 measured in the same run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { loadBundle } from '../worker/bundle/load';
import { makeRandomBundle } from '../worker/bundle/random';
import { Captioner, CaptionResult, isFailure, StageTimings } from '../worker/caption';
import { runtimeConfig } from '../worker/runtime';
import { Rng } from '../worker/train/rng';

export interface CaptionBenchOptions {
  images: number;
  beam: number;
  maxTokens: number;
  m: number;
  steps: number;
}

/** Photo-sized JPEGs of smooth random colour fields. */
async function images(n: number): Promise<Buffer[]> {
  const rng = new Rng(12);
  return Promise.all(
    Array.from({ length: n }, async () => {
      const [w, h] = [640, 480];
      const small = Buffer.from(Array.from({ length: 8 * 6 * 3 }, () => rng.int(256)));
      return sharp(small, { raw: { width: 8, height: 6, channels: 3 } })
        .resize(w, h, { kernel: 'cubic' })
        .jpeg({ quality: 90 })
        .toBuffer();
    }),
  );
}

const mean = (rs: CaptionResult[], k: keyof StageTimings) => rs.reduce((a, r) => a + r.timings[k], 0) / rs.length;

export async function benchCaption(o: CaptionBenchOptions, log: (line: string) => void = console.log): Promise<void> {
  const dir = path.join(os.tmpdir(), 'altbridge-bench-vit-b32');
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    log(`making a ViT-B/32-shaped random bundle in ${dir} (once)...`);
    makeRandomBundle(dir, 'vit-b32', 0);
  }
  const bundle = loadBundle(dir);
  const captioner = await Captioner.open(bundle, runtimeConfig());
  const sources = (await images(o.images)).map((data, i) => ({ name: `image${i}.jpg`, data }));
  const d = bundle.manifest.decoder.config;
  log(
    `${o.images} images 640x480 JPEG; CLIP ViT-B/32 (224 px); denoiser ${bundle.manifest.diffusion.denoiser.width}x${bundle.manifest.diffusion.denoiser.blocks}; decoder ${d.layers} layers width ${d.width}; beam ${o.beam}, ${o.maxTokens} tokens per caption; ${runtimeConfig().threads} threads`,
  );
  // Warm-up: first runs, and the bridge session of each M, stay out of the figures.
  for (const m of [o.m, 0]) await captioner.caption(sources.slice(0, 2), { m, steps: o.steps, beam: o.beam, maxTokens: o.maxTokens, batchSize: 2 });
  log('batch  M    preprocess   clip   bridge  decoder   total ms/image   images/s');
  for (const batch of [1, 8]) {
    const totals: Record<number, number> = {};
    const bridge: Record<number, number> = {};
    for (const m of [o.m, 0]) {
      const started = performance.now();
      const rs = await captioner.caption(sources, { m, steps: o.steps, beam: o.beam, maxTokens: o.maxTokens, batchSize: batch });
      const wall = performance.now() - started;
      const ok = rs.filter((r): r is CaptionResult => !isFailure(r));
      if (ok.length !== rs.length) throw new Error('bench: some images failed');
      totals[m] = wall / rs.length;
      bridge[m] = mean(ok, 'bridge');
      const f = (k: keyof StageTimings) => mean(ok, k).toFixed(1).padStart(8);
      log(
        `${String(batch).padStart(5)}  ${String(m).padEnd(4)} ${f('preprocess')}  ${f('clip')} ${f('bridge')} ${f('decoder')}   ${totals[m].toFixed(1).padStart(8)}        ${(1000 / totals[m]).toFixed(2)}`,
      );
    }
    // From the bridge stage itself: with random weights the decoder's caption length (and so its
    // time) changes with the embedding it is given, which would blur a difference of totals.
    const extra = bridge[o.m] - bridge[0];
    log(
      `batch ${batch}: bridging (M=${o.m}, S=${o.steps}) adds ${extra.toFixed(1)} ms/image = ${((extra / totals[0]) * 100).toFixed(1)} % of the whole at M=0 (totals differ by ${(totals[o.m] - totals[0]).toFixed(1)} ms, decoder length included)`,
    );
  }
  log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  await captioner.close();
}
