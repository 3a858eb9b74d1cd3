/** Caption text from CLIP tokens: the splits CLIP's pre-tokenizer makes are undone, and real separate tokens stay apart. */
import * as path from 'path';
import { ClipTokenizer, detokenise } from '../../../worker/clip/tokenizer';

describe('detokenise', () => {
  test.each([
    ['a medium - sized red square .', 'a medium-sized red square.'],
    ['an x - ray of a 3 - d shape', 'an x-ray of a 3-d shape'],
    ["it 's a dog , a cat .", "it's a dog, a cat."],
    ["it ' s", "it's"],
    ["don 't stop ! we 're here , aren 't we ?", "don't stop! we're here, aren't we?"],
    ["the dogs ' bowl", "the dogs' bowl"],
    ['a sign ( red ) : stop ; go', 'a sign (red): stop; go'],
    ['2 0 2 6 and 2 . 5 and 5 0 % off', '2026 and 2.5 and 50% off'],
    ['  a  red\tsquare ', 'a red square'],
  ])('%j -> %j', (spaced, text) => expect(detokenise(spaced)).toBe(text));

  test.each([
    'a red square above a blue circle.',
    'a single red square, a single blue star and one green heart.',
    'a -- b', // a dash between words, not a hyphen
    "rock ' n ' roll", // HF's clean-up glued this to "rock'n'roll"
    '1, 2 and 3', // a list of numbers, not one number
    'a picture of two red circles',
    'the sun',
  ])('leaves %j as it is', (text) => expect(detokenise(text)).toBe(text));
});

test("the default bundle's tokenizer decodes ShapesWorld captions as they were written", () => {
  const tok = ClipTokenizer.load(path.join(__dirname, '..', '..', '..', 'models', 'shapes-mini', 'clip'));
  for (const c of ['a medium-sized orange triangle.', 'there is a single medium-sized green disc, one red star and a big yellow heart.', 'a red square above a blue circle.']) {
    expect(tok.decode(tok.tokens(c))).toBe(c);
  }
});
