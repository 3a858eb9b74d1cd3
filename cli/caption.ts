/**
 * `altbridge caption <image|dir>...`: one caption per image, as text or JSON lines, with its
 * confidence, quality estimate and in-domain verdict. `--min-quality Q` withholds the caption of an
 * image below Q, of unknown quality or out of domain (as the publishing policy does): only the file and the reason are printed. Unreadable
 * files get an error line and a non-zero exit at the end; the other images are still captioned.
 */
import { defaultBundleRef, loadBundle } from '../worker/bundle/load';
import { CAPTION_DEFAULTS, CaptionResult, Captioner, isFailure } from '../worker/caption';
import { DEFAULT_NO_REPEAT_NGRAM } from '../worker/generate';
import { runtimeConfig } from '../worker/runtime';
import { expand } from './args';
import { defineCommand } from './command';

const DOMAIN_WORDS = { in: 'in domain', out: 'out of domain', unknown: 'domain unknown' } as const;

const qualityWords = (q: number | null) => (q === null ? 'quality unknown' : `quality ${q.toFixed(2)}`);

/** Why a caption is withheld under --min-quality (below it, unknown, or out of domain, as the publishing policy does), or null when it is not. */
export function withheldReason(r: Pick<CaptionResult, 'quality' | 'domain'>, min: number): string | null {
  const enough = r.quality !== null && r.quality >= min;
  if (enough && r.domain.verdict !== 'out') return null;
  if (enough) return `withheld: out of domain; quality ${r.quality!.toFixed(2)}`;
  const why = r.quality === null ? 'quality unknown (the bundle has no calibration)' : `quality ${r.quality.toFixed(2)} < ${min.toFixed(2)}`;
  return `withheld: ${why}; ${DOMAIN_WORDS[r.domain.verdict]}`;
}

export const captionCommand = defineCommand({
  name: 'caption',
  summary: 'one caption per image, with its confidence, quality and in/out-of-domain verdict',
  about:
    'Prints FILE<TAB>CAPTION<TAB>(confidence, quality, domain) per image, or one JSON object per line. Quality is the calibrated chance that the caption makes no false claim. An unreadable file gets an error line on stderr and exit status 1 at the end; the other images are still captioned.',
  options: {
    bundle: { type: 'text', arg: 'NAME|PATH', default: defaultBundleRef(), help: 'the model bundle; $ALTBRIDGE_BUNDLE sets the default' },
    m: { type: 'whole', min: 0, defaultText: "the bundle's", help: 'bridging depth M (0: no bridging)' },
    steps: { type: 'whole', min: 1, defaultText: "the bundle's, at most M", help: 'DDIM steps from M down to 0' },
    beam: { type: 'whole', min: 1, default: CAPTION_DEFAULTS.beam, help: 'beam width (1: greedy)' },
    batch: { type: 'whole', min: 1, default: CAPTION_DEFAULTS.batchSize, help: 'images run through the networks together' },
    'max-tokens': { type: 'whole', min: 1, defaultText: "the decoder's limit", help: 'most tokens per caption' },
    'no-repeat': { type: 'whole', min: 0, default: DEFAULT_NO_REPEAT_NGRAM, help: 'no caption says a run of this many tokens twice (0 allows it)' },
    'min-quality': { type: 'number', arg: 'Q', min: 0, max: 1, help: 'for an image below quality Q (or of unknown quality, or out of domain) print only the file and why it is withheld' },
    json: { type: 'flag', help: 'one JSON object per line: caption, confidence, m, steps, bundle, timings, domain, quality' },
  },
  positionals: { arg: 'IMAGE|DIR ...', min: 1 },
  example: 'altbridge caption photos/ --min-quality 0.5',
  async run(values, positionals) {
    const minQuality = values['min-quality'];
    const files = expand(positionals);
    const bundle = loadBundle(values.bundle);
    const captioner = await Captioner.open(bundle, runtimeConfig(), (line) => process.stderr.write(`${line}\n`));
    let failed = 0;
    try {
      const results = await captioner.caption(files, {
        m: values.m,
        steps: values.steps,
        beam: values.beam,
        batchSize: values.batch,
        maxTokens: values['max-tokens'],
        noRepeatNgram: values['no-repeat'],
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
  },
});
