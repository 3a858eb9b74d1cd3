/** Corpus ingestion: formats, quoting, filters and the exact report, the held-out split, and bad corpora. */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CorpusError, isHeldOut, readCorpus, streamCaptions } from '../../../worker/corpus/read';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'corpus-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, body: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
};
const all = async (file: string, o = {}) => {
  const { train, heldOut } = await readCorpus(file, { heldOut: 0, ...o });
  expect(heldOut).toEqual([]);
  return train;
};

describe('formats', () => {
  test('txt: one caption per line, CRLF and a BOM tolerated', async () => {
    const file = write('a.txt', '\ufeffa dog on grass\r\na red bus\r\n\r\nthe last line has no newline');
    expect(await all(file)).toEqual(['a dog on grass', 'a red bus', 'the last line has no newline']);
  });

  test('csv: named column (case-insensitive), RFC 4180 quoting', async () => {
    const file = write(
      'a.csv',
      [
        'id,Caption,credit',
        '1,a plain caption here,x',
        '2,"a cat, a dog, and a bird",y',
        '3,"she said ""hello"" to me",z',
        '4,"a caption that',
        'spans two lines",w',
        '5,"",v', // empty quoted field
        '6', // short row: no caption column
        '7,"commas, ""quotes"" and',
        '  a newline, all at once",u',
      ].join('\r\n'),
    );
    const { train, report } = await readCorpus(file, { heldOut: 0, minWords: 2 });
    expect(train).toEqual(['a plain caption here', 'a cat, a dog, and a bird', 'she said "hello" to me', 'a caption that spans two lines', 'commas, "quotes" and a newline, all at once']);
    expect(report).toEqual({ lines: 7, kept: 5, dropped: { empty: 2 }, train: 5, heldOut: 0 });
  });

  test('tsv: tab separated, commas are plain text', async () => {
    const file = write('a.tsv', 'caption\tid\na dog, a cat\t1\n"a\tquoted tab"\t2\n');
    expect(await all(file, { minWords: 2 })).toEqual(['a dog, a cat', 'a quoted tab']);
  });

  test('jsonl: field of each object, other fields ignored, blank lines dropped', async () => {
    const file = write('a.jsonl', '{"caption":"a dog on grass","id":1}\n\n{"id":2,"caption":"a café in Paris"}\n');
    expect(await all(file)).toEqual(['a dog on grass', 'a café in Paris']);
    const other = write('b.ndjson', '{"text":"a dog on grass"}\n');
    expect(await all(other, { column: 'text' })).toEqual(['a dog on grass']);
  });

  test('format option overrides the extension', async () => {
    const file = write('captions.data', 'caption\n"a, b, c"\n');
    expect(await all(file, { format: 'csv' })).toEqual(['a, b, c']);
    await expect(readCorpus(file)).rejects.toThrow(/captions\.data: cannot tell the format/);
  });
});

test('normalisation, de-duplication and filters give the exact report', async () => {
  const long = Array.from({ length: 41 }, (_, i) => `w${i}`).join(' ');
  const file = write(
    'filters.txt',
    [
      '  A   dog\ton  the grass  ',
      'a dog on the GRASS', // duplicate, case-insensitive: first spelling kept
      '',
      '   ',
      'two words',
      long,
      long.split(' ').slice(0, 40).join(' '), // exactly maxWords
      'one two three', // exactly minWords
      'ONE TWO THREE',
    ].join('\n'),
  );
  const { train, report } = await readCorpus(file, { heldOut: 0 });
  expect(train).toEqual(['A dog on the grass', long.split(' ').slice(0, 40).join(' '), 'one two three']);
  expect(report).toEqual({ lines: 9, kept: 3, dropped: { duplicate: 2, empty: 2, 'too short': 1, 'too long': 1 }, train: 3, heldOut: 0 });
});

test('held-out split is deterministic, per caption, and close to the requested fraction', async () => {
  const lines = Array.from({ length: 2000 }, (_, i) => `caption number ${i} of the corpus`);
  const small = await readCorpus(write('split-small.txt', lines.slice(0, 1000).join('\n')), { heldOut: 0.1 });
  const big = await readCorpus(write('split-big.txt', lines.join('\n')), { heldOut: 0.1 });
  expect(big.report.train + big.report.heldOut).toBe(2000);
  const fraction = big.heldOut.length / 2000;
  console.log(`held-out: ${big.heldOut.length} of 2000 (${(100 * fraction).toFixed(1)} %, asked 10 %)`);
  expect(fraction).toBeGreaterThan(0.08);
  expect(fraction).toBeLessThan(0.12);
  // Growing the corpus leaves every earlier caption on the same side.
  expect(big.heldOut.filter((c) => lines.slice(0, 1000).includes(c))).toEqual(small.heldOut);
  expect(isHeldOut('Caption Number 5 of the corpus', 0.1)).toBe(isHeldOut(lines[5], 0.1));
  for (const c of big.heldOut) expect(isHeldOut(c, 0.1)).toBe(true);
  for (const c of big.train) expect(isHeldOut(c, 0.1)).toBe(false);
});

describe('bad corpora are refused with a clear message', () => {
  const refuses = async (file: string, message: RegExp, o = {}) => {
    const err = await readCorpus(file, o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(file);
  };

  test('empty file', () => refuses(write('empty.txt', ''), /is empty/));
  test('no usable caption', () => refuses(write('short.txt', 'hi\n\nok then\n'), /no usable caption \(3 records: 2 too short, 1 empty/));
  test('missing file', () => refuses(join(dir, 'nope.txt'), /cannot be read/));
  test('binary file (NUL bytes)', () => refuses(write('bin.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])), /binary/));
  test('binary file (mostly non-text, no NUL)', () => {
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = 1 + ((i * 7919) % 255);
    return refuses(write('noise.txt', noise), /binary/);
  });
  test('invalid UTF-8 names the line', () => {
    const body = Buffer.concat([Buffer.from('a dog on grass\na cat on a mat\nla caf'), Buffer.from([0xe9]), Buffer.from(' est ouverte\n')]);
    return refuses(write('latin1.txt', body), /line 3 is not valid UTF-8/);
  });
  test('CSV without the named column lists the columns', () =>
    refuses(write('nocol.csv', 'id,text,credit\n1,a dog on grass,x\n'), /no column "caption" in the header; columns are: "id", "text", "credit"/));
  test('CSV with an unclosed quote', () => refuses(write('open.csv', 'caption\nfirst good caption\n"never closed\nat all\n'), /quoted field starting on line 3 is never closed/));
  test('malformed JSONL line names the line', () => refuses(write('bad.jsonl', '{"caption":"a dog on grass"}\n{"caption": oops}\n'), /line 2 is not valid JSON/));
  test('JSONL line without the field names the line', () => refuses(write('nofield.jsonl', '{"caption":"a dog on grass"}\n["a dog"]\n'), /line 2 is not a JSON object with a string "caption" field/));
});

describe('one 10 MB line is dropped as too long', () => {
  const huge = 'word '.repeat(2 * 1024 * 1024); // 10 MiB, no newline inside
  // Memory stays bounded by construction: the reader drops a line's bytes once it passes
  // maxLineBytes and keeps only its quote count, so these check the outcome, not the heap.
  test('txt', async () => {
    const { train, report } = await readCorpus(write('huge.txt', `a dog on grass\n${huge}\na cat on a mat\n`), { heldOut: 0 });
    expect(train).toEqual(['a dog on grass', 'a cat on a mat']);
    expect(report.dropped).toEqual({ 'line too long': 1 });
  });

  test('csv, with quotes inside the long line and a quoted field spilling onto the next line', async () => {
    const file = write('huge.csv', `caption,id\n"a ""quoted"" ${huge}\nstill the same field",1\na dog on grass,2\n`);
    const { train, report } = await readCorpus(file, { heldOut: 0 });
    expect(train).toEqual(['a dog on grass']);
    expect(report).toEqual({ lines: 2, kept: 1, dropped: { 'line too long': 1 }, train: 1, heldOut: 0 });
  });

  test('a file that is just that line is refused, naming why', () => expect(readCorpus(write('only-huge.txt', huge))).rejects.toThrow(/has no usable caption \(1 records: .*line too long/));

  test('a multi-line CSV record over the limit is dropped too', async () => {
    const file = write('tall.csv', `caption\n"${'a b c d\n'.repeat(20)}"\na dog on grass\n`);
    const { train, report } = await readCorpus(file, { heldOut: 0, maxLineBytes: 100 });
    expect(train).toEqual(['a dog on grass']);
    expect(report.dropped).toEqual({ 'line too long': 1 });
  });

  test('an unclosed quote in a 10 MB CSV is refused naming its line and the limit, in bounded memory', () => {
    const file = write('open-big.csv', `caption\nfirst good caption\n"never closed\n${'a photo of a dog on the grass\n'.repeat(350_000)}`);
    // Read in a child whose heap is capped at 48 MB: keeping the open record's text (as the reader
    // once did, a string of ~30 bytes a character) needs ~300 MB and dies there.
    const read = join(__dirname, '..', '..', '..', 'worker', 'corpus', 'read.ts');
    const script = `require(${JSON.stringify(read)}).readCorpus(process.argv[1]).catch((e) => process.stdout.write(e.name + ': ' + e.message))`;
    const r = spawnSync(process.execPath, ['--max-old-space-size=48', '-r', require.resolve('tsx/cjs'), '-e', script, file], { encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout }).toEqual({
      status: 0,
      stdout: `CorpusError: ${file}: quoted field starting on line 3 is never closed (its record runs on past the 65536-byte limit to the end of the file)`,
    });
  });
});

// Its speed is measured by bench/corpus-stream.ts, not asserted here.
test('a 200k-line corpus streams every line, in order', async () => {
  const lines = Array.from({ length: 200_000 }, (_, i) => `a photo of item ${i} on a wooden table`);
  const file = write('big.txt', lines.join('\n'));
  let n = 0;
  let inOrder = true;
  for await (const c of streamCaptions(file)) inOrder &&= c === lines[n++];
  expect([n, inOrder]).toEqual([200_000, true]);
});

test('a corpus whose every caption falls in the held-out split is refused, not returned empty', async () => {
  let caption = '';
  for (let i = 0; !caption; i++) if (isHeldOut(`a red circle number ${i}`, 0.5)) caption = `a red circle number ${i}`;
  const file = join(dir, 'all-held-out.txt');
  writeFileSync(file, `${caption}\n`);
  await expect(readCorpus(file, { heldOut: 0.5 })).rejects.toThrow(/all 1 usable caption\(s\) fell in the held-out split/);
});
