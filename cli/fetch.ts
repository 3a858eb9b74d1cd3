/** `altbridge models fetch NAME` and `altbridge corpus fetch NAME`: explicit downloads, never implicit. */
import { parseArgs } from 'util';
import { FetchedFile, FileProgress } from '../worker/fetch/fetch-files';
import { CorpusFetchOptions, fetchCorpus } from '../worker/fetch/fetch-corpus';
import { fetchModel } from '../worker/fetch/fetch-model';

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

function options(args: string[], command: string): { name: string | undefined; o: CorpusFetchOptions } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { from: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, sha256: { type: 'string' } },
  });
  if (positionals.length > 1) throw new Error(`${command}: one name at a time, got ${positionals.join(' ')}`);
  return { name: positionals[0], o: { from: values.from, out: values.out, force: values.force, sha256: values.sha256, onProgress: downloadProgress() } };
}

function report(files: FetchedFile[], dir: string): void {
  for (const f of files) process.stdout.write(`${f.sha256}  ${f.path}  ${mb(f.bytes)} MB  checked against: ${f.checked}\n`);
  if (files.some((f) => f.checked === 'nothing')) {
    process.stderr.write(
      `note: no pinned hash or SHA256SUMS for some files; their hashes are recorded in ${dir}/FETCHED.json: compare them with the publisher's and pin them in worker/fetch/sources.ts\n`,
    );
  }
}

export async function modelsFetch(args: string[]): Promise<number> {
  const { name, o } = options(args, 'models fetch');
  if (o.sha256 !== undefined) throw new Error("models fetch: --sha256 pins corpus fetch's one archive; a model's files are checked against their pins or the mirror's SHA256SUMS");
  const m = await fetchModel(name, o);
  report(m.files, m.dir);
  process.stdout.write(`fetched ${name} from ${m.baseUrl} into ${m.dir}\nnext: npx altbridge models import-clip ${m.dir} --name ${name}\n`);
  return 0;
}

export async function corpusFetch(args: string[]): Promise<number> {
  const { name, o } = options(args, 'corpus fetch');
  const c = await fetchCorpus(name, o);
  report([c.archive], c.dir);
  const lines = Object.entries(c.lines).map(([file, n]) => `${file} (${n} caption${n === 1 ? '' : 's'})`);
  process.stdout.write(`fetched ${name} from ${c.baseUrl} into ${c.dir}: ${lines.join(', ')}\nnext: npx altbridge train --corpus ${c.dir}/${Object.keys(c.lines)[0]} --clip BUNDLE\n`);
  return 0;
}
