/** CLIP tokenizer: our BPE maker, the loader on its output and on a hand-written CLIP-layout file, batching, errors, determinism. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeClipTokenizer, writeClipTokenizer } from '../../../worker/clip/make-tokenizer';
import { ClipTokenizer } from '../../../worker/clip/tokenizer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altbridge-tok-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COLOURS = ['red', 'green', 'blue', 'yellow', 'purple'];
const SHAPES = ['circle', 'square', 'triangle', 'star'];
const RELATIONS = ['above', 'below', 'next to', 'left of'];
const captions: string[] = [];
for (const [i, c1] of COLOURS.entries())
  for (const [j, s1] of SHAPES.entries())
    for (const [k, r] of RELATIONS.entries()) {
      const c2 = COLOURS[(i + j + 1) % COLOURS.length];
      const s2 = SHAPES[(j + k + 1) % SHAPES.length];
      captions.push(k % 2 ? `A ${c1} ${s1} ${r} a ${c2} ${s2}.` : `The ${c1} ${s1} is ${r} the ${c2} ${s2}, on a white background.`);
    }

const trainedDir = path.join(dir, 'trained');
writeClipTokenizer(trainedDir, captions, { vocabSize: 1000 });
const tok = ClipTokenizer.load(trainedDir);
const normalise = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').toLowerCase().trim();

describe('a tokenizer made from captions', () => {
  test('round-trips captions to their normalised text', () => {
    for (const c of [...captions, 'THE  Red\tcircle is above the blue star.']) expect(tok.decode(tok.tokens(c))).toBe(normalise(c));
  });

  test('makes common words single tokens', () => {
    for (const w of [...COLOURS, ...SHAPES, 'the', 'above', 'background']) {
      const ids = tok.tokens(w);
      expect(ids).toHaveLength(1);
      expect(tok.decode(ids)).toBe(w);
    }
  });

  test('still encodes unseen words, through the byte alphabet', () => {
    for (const text of ['zebra', 'ünïcode ✓ 日本']) {
      const ids = tok.tokens(text);
      expect(ids.length).toBeGreaterThan(1);
      expect(ids.every((id) => id >= 0 && id < tok.bos)).toBe(true); // no unknown (= end) token
      expect(tok.decode(ids)).toBe(text);
    }
  });

  test('has the trained size, start and end last, and pads with the end token as CLIP does', () => {
    // The captions hold few words: training stops when each is one token, before 1000.
    const size = Object.keys(JSON.parse(fs.readFileSync(path.join(trainedDir, 'tokenizer.json'), 'utf8')).model.vocab).length;
    expect(size).toBeLessThan(1000);
    expect(tok.vocabSize).toBe(size);
    expect([tok.bos, tok.eos, tok.pad]).toEqual([tok.vocabSize - 2, tok.vocabSize - 1, tok.vocabSize - 1]);
  });
});

describe('encode', () => {
  const short = 'a red star.';
  const long = 'the green circle is above the blue square, on a white background.';
  const row = (e: { ids: BigInt64Array; length: number }, b: number) => Array.from(e.ids.subarray(b * e.length, (b + 1) * e.length), Number);
  const maskRow = (e: { mask: BigInt64Array; length: number }, b: number) => Array.from(e.mask.subarray(b * e.length, (b + 1) * e.length), Number);

  test('wraps in start/end, pads to 77 with the pad id and masks the padding', () => {
    const e = tok.encode([short, long]);
    expect([e.batch, e.length, e.ids.length, e.mask.length]).toEqual([2, 77, 154, 154]);
    [short, long].forEach((text, b) => {
      const body = tok.tokens(text);
      const n = body.length + 2;
      expect(row(e, b)).toEqual([tok.bos, ...body, tok.eos, ...Array(77 - n).fill(tok.pad)]);
      expect(maskRow(e, b)).toEqual([...Array(n).fill(1), ...Array(77 - n).fill(0)]);
    });
  });

  test('truncates to maxLength keeping the end token last', () => {
    const body = tok.tokens(long);
    expect(body.length).toBeGreaterThan(6);
    const e = tok.encode([long, short], { maxLength: 6 });
    expect(e.length).toBe(6);
    expect(row(e, 0)).toEqual([tok.bos, ...body.slice(0, 4), tok.eos]);
    expect(maskRow(e, 0)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  test('trim pads only to the longest sequence of the batch', () => {
    const e = tok.encode([short, long], { trim: true });
    const n = tok.tokens(long).length + 2;
    expect(e.length).toBe(n);
    expect(row(e, 1)).toEqual([tok.bos, ...tok.tokens(long), tok.eos]);
    expect(row(e, 0).slice(tok.tokens(short).length + 2)).toEqual(Array(n - tok.tokens(short).length - 2).fill(tok.pad));
    expect(tok.encode([short], { trim: true, maxLength: 3 }).length).toBe(3);
  });
});

test('loads a hand-written tokenizer.json in CLIP layout and gives the ids worked out by hand', () => {
  // CLIP's vocabulary starts with GPT-2's byte alphabet: bytes 33-126, 161-172 and 174-255 stand
  // for themselves (ids 0-187 in that order), the other 68 bytes become U+0100.. (ids 188-255);
  // ids 256-511 are the same 256 characters + "</w>". Real CLIP agrees: "!" is 0, "a</w>" is 320.
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const kept = [...range(33, 126), ...range(161, 172), ...range(174, 255)];
  const bytes = [
    ...kept.map((b) => String.fromCharCode(b)),
    ...range(0, 255)
      .filter((b) => !kept.includes(b))
      .map((_, i) => String.fromCharCode(256 + i)),
  ];
  const merged = ['ll', 'he', 'hell', 'hello</w>', 'll</w>', 'hell</w>']; // ids 512-517, from the merges below in order
  const vocab = Object.fromEntries([...bytes, ...bytes.map((c) => c + '</w>'), ...merged, '<|startoftext|>', '<|endoftext|>'].map((t, i) => [t, i]));
  const special = (id: number, content: string, normalized: boolean) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: true });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(518, '<|startoftext|>', true), special(519, '<|endoftext|>', false)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', 519], cls: ['<|startoftext|>', 518], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      vocab,
      merges: ['l l', 'h e', 'he ll', 'hell o</w>', 'l l</w>', 'he ll</w>'], // ranks 0-5
    },
  };
  const mini = path.join(dir, 'mini');
  fs.mkdirSync(mini);
  fs.writeFileSync(path.join(mini, 'tokenizer.json'), JSON.stringify(json));
  const t = ClipTokenizer.load(path.join(mini, 'tokenizer.json'));
  expect([t.vocabSize, t.bos, t.eos, t.pad]).toEqual([520, 518, 519, 519]);
  expect(vocab['!']).toBe(0);
  expect(vocab['a</w>']).toBe(320);

  // Normalised "hello, hell! 42 é it's" splits into: hello , hell ! 4 2 é it 's
  // hello: h e l l o</w> → lowest rank first: (l l)=0 → h e ll o</w>; (h e)=1 → he ll o</w>;
  //        (he ll)=2 → hell o</w>; (hell o</w>)=3 → hello</w> = 515
  // ,    : byte 44 → id 44-33 = 11, word-final → ",</w>" = 256+11 = 267
  // hell : h e l l</w> → (h e)=1 → he l l</w>; (l l</w>)=4 → he ll</w>; (he ll</w>)=5 → hell</w> = 517
  // !    : byte 33 → id 0 → "!</w>" = 256
  // 4, 2 : CLIP splits digits one by one; bytes 52, 50 → ids 19, 17 → "4</w>" 275, "2</w>" 273
  // é    : UTF-8 C3 A9; 0xC3 = 195 → 94 + 12 + (195-174) = 127; 0xA9 = 169 → 94 + (169-161) = 102 → "©</w>" 358
  // it 's: "'s" is its own CLIP word; i = 105-33 = 72, "t</w>" = 256+83 = 339, ' = 6, "s</w>" = 256+82 = 338
  const text = "Hello, HELL! 42 é it's";
  const want = [515, 267, 517, 256, 275, 273, 127, 358, 72, 339, 6, 338];
  expect(t.tokens(text)).toEqual(want);
  expect(Array.from(t.encode([text], { maxLength: 16 }).ids, Number)).toEqual([518, ...want, 519, 519, 519]);
  expect(t.decode([518, 515, 267, 517, 256, 519, 519])).toBe('hello, hell!'); // HF's clean-up joins " ," and " !"

  // An export's tokenizer_config.json may name another pad token (some CLIPs pad with "!").
  fs.writeFileSync(path.join(mini, 'tokenizer_config.json'), JSON.stringify({ pad_token: { content: '!', __type: 'AddedToken' }, model_max_length: 77 }));
  const padded = ClipTokenizer.load(mini);
  expect(padded.pad).toBe(0);
  expect(Array.from(padded.encode(['hell'], { maxLength: 5 }).ids, Number)).toEqual([518, 517, 519, 0, 0]);
});

test('a missing or malformed tokenizer file gives an error naming it', () => {
  const missing = path.join(dir, 'nowhere');
  expect(() => ClipTokenizer.load(missing)).toThrow(`CLIP tokenizer: ${missing} does not exist`);
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty);
  expect(() => ClipTokenizer.load(empty)).toThrow(`${path.join(empty, 'tokenizer.json')} does not exist`);
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"model": {');
  expect(() => ClipTokenizer.load(bad)).toThrow(`CLIP tokenizer: ${bad} is not valid JSON`);
  fs.writeFileSync(bad, '{"model": {"type": "BPE"}}');
  expect(() => ClipTokenizer.load(bad)).toThrow(`CLIP tokenizer ${bad}: not a usable tokenizer.json`);
});

test('making the same tokenizer twice gives byte-identical files, whatever the corpus order', () => {
  const again = path.join(dir, 'again');
  writeClipTokenizer(again, captions, { vocabSize: 1000 });
  const files = fs.readdirSync(trainedDir).sort();
  expect(files).toEqual(['merges.txt', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.json']);
  for (const f of files) expect(fs.readFileSync(path.join(again, f)).equals(fs.readFileSync(path.join(trainedDir, f)))).toBe(true);
  expect(JSON.stringify(makeClipTokenizer([...captions].reverse(), { vocabSize: 1000 }))).toBe(JSON.stringify(makeClipTokenizer(captions, { vocabSize: 1000 })));
});

test('incremental pair counts pick the same merges as recounting every pair each time', () => {
  // Reference trainer: full recount per merge, highest count first, ties to the smaller (id a, id b).
  // Lower-case ASCII words need no byte mapping: their letters are their own tokens.
  const reference = (corpus: string[], vocabSize: number) => {
    const base = Object.entries(makeClipTokenizer([], { vocabSize: 514 }).model.vocab).sort((x, y) => x[1] - y[1]);
    const vocab = base.slice(0, 512).map(([t]) => t);
    const id = (t: string) => vocab.indexOf(t);
    const words = corpus.flatMap((c) => c.split(' ')).map((w) => [...w].map((ch, i) => id(i === w.length - 1 ? ch + '</w>' : ch)));
    const merges: string[] = [];
    while (vocab.length < vocabSize - 2) {
      const counts = new Map<string, number>();
      for (const s of words) for (let i = 0; i + 1 < s.length; i++) counts.set(`${s[i]},${s[i + 1]}`, (counts.get(`${s[i]},${s[i + 1]}`) ?? 0) + 1);
      const best = [...counts].map(([k, n]) => [n, ...k.split(',').map(Number)]).sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2])[0];
      if (!best) break;
      const [, a, b] = best;
      if (id(vocab[a] + vocab[b]) < 0) vocab.push(vocab[a] + vocab[b]);
      const m = id(vocab[a] + vocab[b]);
      merges.push(`${vocab[a]} ${vocab[b]}`);
      for (const s of words) {
        const out: number[] = [];
        for (let i = 0; i < s.length; i++) out.push(s[i] === a && s[i + 1] === b ? (i++, m) : s[i]);
        s.splice(0, s.length, ...out);
      }
    }
    return merges;
  };
  let seed = 1;
  const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  for (let trial = 0; trial < 10; trial++) {
    const letters = 'abcd'.slice(0, 2 + (trial % 3)); // few letters: repeats like "aaaa" and "abab" overlap
    const corpus = Array.from({ length: 40 }, () => Array.from({ length: 1 + rand(4) }, () => Array.from({ length: 1 + rand(7) }, () => letters[rand(letters.length)]).join('')).join(' '));
    expect(makeClipTokenizer(corpus, { vocabSize: 560 }).model.merges).toEqual(reference(corpus, 560));
  }
});
