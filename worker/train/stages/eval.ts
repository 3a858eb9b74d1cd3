/**
 * Stage `eval`: text -> caption reconstruction of the held-out lines by the new bundle and, for a
 * fine-tune, by the base on the same lines, so the two versions are compared like for like.
 */
import { loadBundle } from '../../bundle/load';
import { evalText } from '../eval-text';
import { need, StageFn } from './state';

export const evalStage: StageFn = async (s, io) => {
  const { heldOut } = need(s.text, 'the corpus');
  need(s.manifest, 'the written bundle');
  if (heldOut.length === 0) {
    io.announce('no held-out lines: nothing to score');
    s.eval = null;
    return;
  }
  io.announce(`${heldOut.length} held-out lines`);
  const o = { runtime: s.runtime, cacheDir: s.o.cacheDir };
  const fresh = await evalText(loadBundle(s.o.out), heldOut, o);
  s.eval = { new: fresh, base: s.o.base ? await evalText(s.o.base, heldOut, o) : null };
};
