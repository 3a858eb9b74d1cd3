/**
 * The engine's time limit: a run held past it fails with RunTimeout and the next run goes ahead
 * instead of queueing behind it forever; the late run's Captioner is closed only after it settles.
 * The run is held by a hook on Captioner.caption, so nothing here depends on how fast the host is.
 */
import sharp from 'sharp';
import { loadBundle } from '../../worker/bundle/load';
import { Captioner } from '../../worker/caption';
import { CaptionEngine } from '../../worker/engine';

let image: Buffer;

beforeAll(async () => {
  image = await sharp({ create: { width: 48, height: 48, channels: 3, background: '#3c3' } })
    .png()
    .toBuffer();
});

afterEach(() => jest.restoreAllMocks());

/** Holds every run of an image named `stuck.png` until release() is called. */
function holdStuck(): { release: () => void } {
  const real = Captioner.prototype.caption;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  jest.spyOn(Captioner.prototype, 'caption').mockImplementation(async function (this: Captioner, sources, o) {
    if (sources.some((s) => typeof s !== 'string' && s.name === 'stuck.png')) await held;
    return real.call(this, sources, o);
  });
  return { release };
}

test('a run past its time limit fails with the reason and the next run is not blocked; the late Captioner closes once its run settles', async () => {
  const engine = new CaptionEngine();
  const settings = { bundle: 'shapes-mini', m: 600, steps: 5, beam: 1 };
  const { release } = holdStuck();
  const closed = jest.spyOn(Captioner.prototype, 'close');

  await expect(engine.caption('stuck.png', image, settings, { timeoutMs: 300 })).rejects.toMatchObject({ name: 'RunTimeout', message: 'took longer than 0.3 s' });
  // Another ref swaps the Captioner while the late run still holds the old one.
  const next = await engine.caption('next.png', image, { ...settings, bundle: `shapes-mini@${loadBundle('shapes-mini').manifest.version}` }, { timeoutMs: 60_000 });
  expect(next).toMatchObject({ file: 'next.png', m: 600, steps: 5 });
  expect(closed).not.toHaveBeenCalled();

  release();
  await engine.close();
  expect(closed).toHaveBeenCalledTimes(2);
}, 30_000);
