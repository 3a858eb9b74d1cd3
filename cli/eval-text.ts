/** `altbridge eval-text --bundle B --corpus F`: reconstruction of the corpus's held-out lines from their own text embeddings. */
import { loadBundle } from '../worker/bundle/load';
import { readCorpus } from '../worker/corpus/read';
import { evalText } from '../worker/train/eval-text';
import { defineCommand } from './command';
import { CORPUS_HELP } from './args';
import { scoreLine } from './scores';

export const evalTextCommand = defineCommand({
  name: 'eval-text',
  summary: "BLEU/ROUGE-L/CIDEr-D of captions made from a corpus's held-out lines' own text embeddings",
  about: 'How well the denoiser and decoder reconstruct text they did not train on, without any image.',
  options: {
    bundle: { type: 'text', arg: 'BUNDLE', required: true, help: 'the trained bundle' },
    corpus: { type: 'text', arg: 'FILE', required: true, help: CORPUS_HELP },
  },
  example: 'altbridge eval-text --bundle coco-captions --corpus corpora/coco-captions/val.txt',
  async run(v) {
    const { heldOut } = await readCorpus(v.corpus);
    const e = await evalText(loadBundle(v.bundle), heldOut);
    for (const s of e.samples.slice(0, 5)) process.stdout.write(`  ${s.line}\n  -> ${s.caption}\n`);
    process.stdout.write(scoreLine(`${heldOut.length} held-out lines`, e.scores) + '\n');
    return 0;
  },
});
