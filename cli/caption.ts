/**
 * `altbridge caption <image|dir>...`: one caption per image, as text or JSON lines. Unreadable
 * files get an error line and a non-zero exit at the end; the other images are still captioned.
 */
import { parseArgs } from 'util';
import { defaultBundleRef, loadBundle } from '../worker/bundle/load';
import { Captioner, isFailure } from '../worker/caption';
import { runtimeConfig } from '../worker/runtime';
import { expand, wholeNumber } from './args';

const DOMAIN_WORDS = { in: 'in domain', out: 'out of domain', unknown: 'domain unknown' } as const;

export async function captionCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      bundle: { type: 'string' },
      m: { type: 'string' },
      steps: { type: 'string' },
      beam: { type: 'string' },
      batch: { type: 'string' },
      'max-tokens': { type: 'string' },
      'no-repeat': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length === 0) throw new Error('caption: name at least one image or folder');
  const files = expand(positionals);
  const bundle = loadBundle(values.bundle ?? defaultBundleRef());
  const captioner = await Captioner.open(bundle, runtimeConfig(), (line) => process.stderr.write(`${line}\n`));
  let failed = 0;
  try {
    const results = await captioner.caption(files, {
      m: wholeNumber('m', values.m, 0),
      steps: wholeNumber('steps', values.steps, 1),
      beam: wholeNumber('beam', values.beam, 1),
      batchSize: wholeNumber('batch', values.batch, 1),
      maxTokens: wholeNumber('max-tokens', values['max-tokens'], 1),
      noRepeatNgram: wholeNumber('no-repeat', values['no-repeat'], 0),
    });
    for (const r of results) {
      if (isFailure(r)) {
        failed++;
        if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
        process.stderr.write(`${r.file}: error: ${r.error}\n`);
      } else if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(`${r.file}\t${r.caption}\t(confidence ${r.confidence.toFixed(3)}, ${DOMAIN_WORDS[r.domain.verdict]})\n`);
    }
  } finally {
    await captioner.close();
  }
  if (failed) process.stderr.write(`altbridge: ${failed} of ${files.length} image(s) could not be captioned\n`);
  return failed ? 1 : 0;
}
