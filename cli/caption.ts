/**
 * `altbridge caption <image|dir>...`: one caption per image, as text or JSON lines, with its
 * confidence, quality estimate and in-domain verdict. `--min-quality Q` withholds the caption of an
 * image below Q (or whose quality is unknown): only the file and the reason are printed. Unreadable
 * files get an error line and a non-zero exit at the end; the other images are still captioned.
 */
import { parseArgs } from 'util';
import { defaultBundleRef, loadBundle } from '../worker/bundle/load';
import { CaptionResult, Captioner, isFailure } from '../worker/caption';
import { runtimeConfig } from '../worker/runtime';
import { expand, wholeNumber } from './args';

const DOMAIN_WORDS = { in: 'in domain', out: 'out of domain', unknown: 'domain unknown' } as const;

/** A number in [0, 1] for --min-quality. */
function share(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const q = Number(value);
  if (value.trim() === '' || !Number.isFinite(q) || q < 0 || q > 1) throw new Error(`--${name} must be a number from 0 to 1, got "${value}"`);
  return q;
}

const qualityWords = (q: number | null) => (q === null ? 'quality unknown' : `quality ${q.toFixed(2)}`);

/** Why a caption is withheld under --min-quality, or null when it is not. */
export function withheldReason(r: Pick<CaptionResult, 'quality' | 'domain'>, min: number): string | null {
  if (r.quality !== null && r.quality >= min) return null;
  const why = r.quality === null ? 'quality unknown (the bundle has no calibration)' : `quality ${r.quality.toFixed(2)} < ${min.toFixed(2)}`;
  return `withheld: ${why}; ${DOMAIN_WORDS[r.domain.verdict]}`;
}

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
      'min-quality': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new Error('caption: name at least one image or folder');
  const minQuality = share('min-quality', values['min-quality']);
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
        continue;
      }
      const reason = minQuality === undefined ? null : withheldReason(r, minQuality);
      if (values.json) process.stdout.write(JSON.stringify(reason ? { file: r.file, withheld: reason, quality: r.quality, domain: r.domain } : r) + '\n');
      else if (reason) process.stdout.write(`${r.file}\t(${reason})\n`);
      else process.stdout.write(`${r.file}\t${r.caption}\t(confidence ${r.confidence.toFixed(3)}, ${qualityWords(r.quality)}, ${DOMAIN_WORDS[r.domain.verdict]})\n`);
    }
  } finally {
    await captioner.close();
  }
  if (failed) process.stderr.write(`altbridge: ${failed} of ${files.length} image(s) could not be captioned\n`);
  return failed ? 1 : 0;
}
