/** `altbridge eval-text --bundle B --corpus F`: reconstruction of the corpus's held-out lines from their own text embeddings. */
import { parseArgs } from 'util';
import { loadBundle } from '../worker/bundle/load';
import { readCorpus } from '../worker/corpus/read';
import { evalText } from '../worker/train/eval-text';
import { scoreLine } from './scores';

export async function evalTextCommand(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: { bundle: { type: 'string' }, corpus: { type: 'string' } } });
  if (!v.bundle || !v.corpus) throw new Error('eval-text: --bundle B and --corpus FILE are required');
  const { heldOut } = await readCorpus(v.corpus);
  const e = await evalText(loadBundle(v.bundle), heldOut);
  for (const s of e.samples.slice(0, 5)) process.stdout.write(`  ${s.line}\n  -> ${s.caption}\n`);
  process.stdout.write(scoreLine(`${heldOut.length} held-out lines`, e.scores) + '\n');
  return 0;
}
