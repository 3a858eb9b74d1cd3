/**
 * Stage `embed`: the lines' CLIP text embeddings (cached by content), ē_text, and the lines in
 * diffusion space (eq. 6). A fine-tune keeps the base's ē_text: the denoiser it continues was
 * trained in that space.
 */
import { ClipEncoders } from '../../clip/encoders';
import { meanOfNormalised } from '../../diffusion';
import { textZ } from '../eval-text';
import { embedTexts } from '../text-embeddings';
import { need, StageFn } from './state';

export const embedStage: StageFn = async (s, io) => {
  const { lines, tok } = need(s.text, 'the corpus');
  const m = s.clip.manifest;
  io.announce(`${lines.length} captions`);
  const enc = await ClipEncoders.open(s.clip.file(m.clip.vision), s.clip.file(m.clip.text), { imageSize: m.clip.imageSize, embedDim: m.clip.embedDim }, s.runtime);
  let embeds: Float32Array;
  try {
    embeds = await embedTexts(enc, tok, m.files[m.clip.text].sha256, m.clip.contextLength, lines, { cacheDir: s.o.cacheDir, signal: s.o.signal });
  } finally {
    await enc.close();
  }
  const textMean = s.o.base ? s.o.base.textMean : meanOfNormalised(embeds, m.clip.embedDim);
  s.space = { textMean, z0: textZ(embeds, textMean, s.diffusion.scale) };
};
