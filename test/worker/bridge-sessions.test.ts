/**
 * What bridging costs the process as requests vary M and S: captioning at many distinct (M, S)
 * opens no session after the first caption (the denoiser-step session is one per bundle), and a
 * deep, long bridge (M = 1000, S = 50) is served without building a graph for it.
 */
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { Captioner, isFailure } from '../../worker/caption';

let captioner: Captioner;
let image: Buffer;

beforeAll(async () => {
  captioner = await Captioner.open(loadBundle('shapes-mini'));
  image = await sharp({ create: { width: 48, height: 48, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
});

afterAll(async () => {
  await captioner?.close();
  jest.restoreAllMocks();
});

const caption = async (m: number, steps: number) => {
  const [r] = await captioner.caption([{ name: 'red.png', data: image }], { m, steps, beam: 1, batchSize: 1 });
  if (isFailure(r)) throw new Error(r.error);
  return r;
};

test('captioning at 40 distinct (M, S) opens no session after the first caption', async () => {
  await caption(600, 5);
  const opened = jest.spyOn(ort.InferenceSession, 'create');
  for (let i = 1; i <= 40; i++) expect(await caption(20 * i + 1, 1 + (i % 7))).toMatchObject({ m: 20 * i + 1, steps: 1 + (i % 7) });
  console.log(`sessions opened by 40 captions at distinct (M, S) after the first: ${opened.mock.calls.length}`);
  expect(opened).not.toHaveBeenCalled();
  opened.mockRestore();
});

test('M = 1000, S = 50 is served by the same session; S past 50 or past M is refused', async () => {
  const started = performance.now();
  const r = await caption(1000, 50);
  console.log(`first caption at M = 1000, S = 50: ${(performance.now() - started).toFixed(0)} ms (bridge ${r.timings.bridge.toFixed(1)} ms)`);
  expect(r).toMatchObject({ m: 1000, steps: 50 });
  await expect(caption(1000, 51)).rejects.toThrow('DDIM steps must be a whole number from 1 to 50, got 51');
  await expect(caption(10, 20)).rejects.toThrow('DDIM steps must be a whole number from 1 to 10, got 20');
});
