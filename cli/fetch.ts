/** `altbridge models fetch NAME` and `altbridge corpus fetch NAME`: explicit downloads, never implicit. */
import { FetchedFile, FileProgress } from '../worker/fetch/fetch-files';
import { CorpusFetchOptions, fetchCorpus } from '../worker/fetch/fetch-corpus';
import { fetchModel } from '../worker/fetch/fetch-model';
import { CORPUS_SOURCES, MODEL_SOURCES } from '../worker/fetch/sources';
import { defineCommand } from './command';

const mb = (n: number) => (n / 1e6).toFixed(1);

/** One line per file redrawn with \r on a terminal; otherwise a line every 10 % (every 10 MB when the size is unknown). */
function downloadProgress(stream: NodeJS.WriteStream = process.stderr): FileProgress {
  let shown = -1;
  let file = '';
  let lastDraw = 0;
  return (name, got, total) => {
    if (name !== file) {
      file = name;
      shown = -1;
    }
    const done = total !== undefined && got >= total;
    const text = `${name} ${mb(got)}${total !== undefined ? `/${mb(total)} MB ${Math.floor((100 * got) / Math.max(total, 1))}%` : ' MB'}`;
    if (stream.isTTY) {
      if (!done && Date.now() - lastDraw < 100) return;
      lastDraw = Date.now();
      stream.write(`\r${text}\x1b[K${done ? '\n' : ''}`);
      return;
    }
    const step = total !== undefined ? Math.floor((10 * got) / Math.max(total, 1)) : Math.floor(got / 10e6);
    if (step > shown) {
      shown = step;
      stream.write(`${text}\n`);
    }
  };
}

/** The options both downloads take; `out`'s default is each one's own. */
const fetchOptions = (out: string) =>
  ({
    from: { type: 'text', arg: 'URL', defaultText: "$ALTBRIDGE_MIRROR/NAME/, else the publisher's site", help: 'base URL of the files (a mirror)' },
    out: { type: 'text', arg: 'DIR', defaultText: out, help: 'folder to download into' },
    force: { type: 'flag', help: 'replace the folder when it is there already' },
  }) as const;

/** One of the known names. */
const names = (table: object) => ({ arg: Object.keys(table).join('|'), min: 1, max: 1 });

function report(files: FetchedFile[], dir: string): void {
  for (const f of files) process.stdout.write(`${f.sha256}  ${f.path}  ${mb(f.bytes)} MB  checked against: ${f.checked}\n`);
  if (files.some((f) => f.checked === 'nothing')) {
    process.stderr.write(
      `note: no pinned hash or SHA256SUMS for some files; their hashes are recorded in ${dir}/FETCHED.json: compare them with the publisher's and pin them in worker/fetch/sources.ts\n`,
    );
  }
}

export const modelsFetch = defineCommand({
  name: 'models fetch',
  summary: "download a model's files (resumable, hash-checked)",
  about: "Checked against pinned hashes or the mirror's SHA256SUMS. The files are not a bundle yet: models import-clip makes one.",
  options: fetchOptions('downloads/NAME in the models folder'),
  positionals: names(MODEL_SOURCES),
  example: 'altbridge models fetch clip-vit-b32',
  async run(v, [name]) {
    const m = await fetchModel(name, { ...v, onProgress: downloadProgress() });
    report(m.files, m.dir);
    process.stdout.write(`fetched ${name} from ${m.baseUrl} into ${m.dir}\nnext: npx altbridge models import-clip ${m.dir} --name ${name}\n`);
    return 0;
  },
});

export const corpusFetch = defineCommand({
  name: 'corpus fetch',
  summary: 'download a caption corpus as text, one caption per line',
  about: 'coco-captions: the COCO 2017 caption annotations, written as DIR/train.txt and DIR/val.txt.',
  options: {
    ...fetchOptions('corpora/NAME'),
    sha256: { type: 'text', arg: 'HEX', help: "the archive's sha256 in place of the pinned one (a mirror's own file)" },
  },
  positionals: names(CORPUS_SOURCES),
  example: 'altbridge corpus fetch coco-captions',
  async run(v, [name]) {
    const c = await fetchCorpus(name, { ...v, onProgress: downloadProgress() } satisfies CorpusFetchOptions);
    report([c.archive], c.dir);
    const lines = Object.entries(c.lines).map(([file, n]) => `${file} (${n} caption${n === 1 ? '' : 's'})`);
    process.stdout.write(`fetched ${name} from ${c.baseUrl} into ${c.dir}: ${lines.join(', ')}\nnext: npx altbridge train --corpus ${c.dir}/${Object.keys(c.lines)[0]} --clip BUNDLE\n`);
    return 0;
  },
});
