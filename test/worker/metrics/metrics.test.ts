/**
 * Caption metrics against values worked out by hand from pycocoevalcap's definitions
 * (BleuScorer option='closest', Rouge beta 1.2, CiderScorer = CIDEr-D sigma 6).
 */
import { scoreCaptions } from '../../../worker/metrics';
import { tokenize } from '../../../worker/metrics/tokenize';

const TINY = 1e-15;
const SMALL = 1e-9;

describe('tokenize', () => {
  test.each([
    ['A Dog runs.', ['a', 'dog', 'runs']],
    ["Don't stop!", ['do', "n't", 'stop']],
    ["The dog's ball, and the cats' toys.", ['the', 'dog', "'s", 'ball', 'and', 'the', 'cats', 'toys']],
    ['A "big" (red) car -- fast...', ['a', 'big', 'red', 'car', 'fast']],
    ['a [sic] note', ['a', '-lsb-', 'sic', '-rsb-', 'note']],
    ['Flag of the U.S. on a pole; 1,000 people: 10:30', ['flag', 'of', 'the', 'u.s.', 'on', 'a', 'pole', '1,000', 'people', '10:30']],
    ['A black-and-white photo - $5 or 20%?', ['a', 'black-and-white', 'photo', '$', '5', 'or', '20', '%']],
    ["'Hello' she said", ['hello', 'she', 'said']],
    ['  \n ', []],
  ])('%j', (text, tokens) => expect(tokenize(text)).toEqual(tokens));
});

/*
 * Fixture: five images whose reference vocabularies are disjoint except "a" (images 1 and 2),
 * so every reference n-gram has document frequency 1 except the unigram "a" (df 2).
 * Tokenised lengths in brackets.
 */
const candidates = [
  'A dog runs.', //            [3] a dog runs
  'a cat, cat', //             [3] a cat cat
  'Two birds fly away!', //    [4] two birds fly away
  'Red car.', //               [2] red car
  'man', //                    [1] man
];
const references = [
  ['A dog runs', 'Dog running.'], // [3] [2]
  ['a cat', 'A small cat sleeps'], // [2] [4]
  ['birds fly', 'two birds flying', 'Two birds fly away quickly.', 'birds'], // [2] [3] [5] [1]
  ['The red car', 'red car parked outside'], // [3] [4]
  ['an old man', 'one man standing', 'tall man standing here'], // [3] [3] [4]
];

describe('hand-worked fixture', () => {
  const scores = scoreCaptions(candidates, references);

  test('BLEU-1..4', () => {
    /*
     * Closest reference length per image (tie → shorter):
     *   1: test 3, refs 3,2 → 3      2: test 3, refs 2,4 → tie at distance 1 → 2
     *   3: test 4, refs 2,3,5,1 → tie 3 / 5 → 3   4: test 2, refs 3,4 → 3   5: test 1, refs 3,3,4 → 3
     *   testlen = 3+3+4+2+1 = 13, reflen = 3+2+3+3+3 = 14 → brevity penalty exp(1 - 14/13).
     * Clipped matches / guesses (guess_k = max(0, len - k + 1)):
     *   n=1: 1: a dog runs 3/3; 2: a 1 + cat min(2, 1) = 1 → 2/3; 3: 4/4; 4: 2/2; 5: 1/1   → 12/13
     *   n=2: 1: a dog, dog runs 2/2; 2: "a cat" yes, "cat cat" no 1/2;
     *        3: two birds, birds fly, fly away 3/3; 4: red car 1/1; 5: 0/0             →  7/8
     *   n=3: 1: 1/1; 2: "a cat cat" 0/1; 3: two birds fly, birds fly away 2/2           →  3/4
     *   n=4: 3: "two birds fly away" (in ref 3) 1/1                                       →  1/1
     */
    const p = [(12 + TINY) / (13 + SMALL), (7 + TINY) / (8 + SMALL), (3 + TINY) / (4 + SMALL), (1 + TINY) / (1 + SMALL)];
    const bp = Math.exp(1 - 1 / ((13 + TINY) / (14 + SMALL)));
    const expected = [1, 2, 3, 4].map((n) => p.slice(0, n).reduce((a, b) => a * b) ** (1 / n) * bp);
    // ≈ 0.8547, 0.8322, 0.7835, 0.8169
    expect([scores.bleu1, scores.bleu2, scores.bleu3, scores.bleu4]).toEqual(expected.map((e) => expect.closeTo(e, 12)));
  });

  test('ROUGE-L', () => {
    /*
     * F = (1 + 1.44) P R / (R + 1.44 P) with P, R the best LCS precision and recall over references:
     *   1: ref 1 identical → P = R = 1 → F = 1
     *   2: "a cat" LCS 2 → P 2/3, R 1; "a small cat sleeps" LCS 2 → P 2/3, R 2/4 → P 2/3, R 1
     *   3: ref 3 LCS 4 → P 1; "birds fly" LCS 2 → R 2/2 = 1 (taken from different refs) → F = 1
     *   4: "the red car" LCS 2 → P 1, R 2/3; "red car parked outside" LCS 2 → P 1, R 1/2 → P 1, R 2/3
     *   5: each ref LCS 1 → P 1; R 1/3, 1/3, 1/4 → P 1, R 1/3
     */
    const f = (pr: number, rc: number) => (2.44 * pr * rc) / (rc + 1.44 * pr);
    const expected = (1 + f(2 / 3, 1) + 1 + f(1, 2 / 3) + f(1, 1 / 3)) / 5; // ≈ 0.8121
    expect(scores.rougeL).toBeCloseTo(expected, 12);
  });

  test('CIDEr-D', () => {
    /*
     * idf = log(5) - log(max(1, df)): L = ln 5 for every n-gram (df 1, or df 0 for the candidate's
     * unseen "cat cat" / "a cat cat"), except unigram "a": A = ln 5 - ln 2.
     * Image 1, n = 1: candidate tf-idf {a: A, dog: L, runs: L}, |h| = sqrt(A² + 2L²);
     *   ref "dog running" {dog: L, running: L}, |r| = L√2; clipped dot = min(L, L)·L = L².
     * Image 2, n = 1: candidate {a: A, cat: 2L}; ref "a cat" {a: A, cat: L};
     *   clipped dot = A·A + min(2L, L)·L = A² + L² (the "D" clipping).
     * Elsewhere every weight is L, so each cosine is shared n-grams / sqrt(#cand · #ref n-grams).
     * Orders with no n-grams on either side score 0. "Length" is the bigram count (words - 1,
     * pycocoevalcap's quirk), penalty g(d) = exp(-d² / 72). Per image: 10 · mean over refs of
     * g · (sum of the four cosines) / 4.
     */
    const L = Math.log(5);
    const A = Math.log(5) - Math.log(2);
    const g = (d: number) => Math.exp(-(d * d) / 72);
    const s = Math.sqrt;
    // 1: identical ref → cos 1,1,1,0 (no 4-grams), d 0; "dog running": unigrams only, d = 2 - 1.
    const img1 = (10 * ((1 + 1 + 1) / 4 + (g(1) * (L * L)) / (s(A * A + 2 * L * L) * L * s(2)) / 4)) / 2;
    // 2: "a cat" n1 (A²+L²)/(|h|·|r|), n2 {a cat, cat cat}·{a cat} = 1/√2, d = 2 - 1;
    //    "a small cat sleeps" n1 (A²+L²)/(|h|·sqrt(A²+3L²)), no shared bigram, d = 2 - 3.
    const h2 = s(A * A + 4 * L * L);
    const img2 = (10 * ((g(1) * ((A * A + L * L) / (h2 * s(A * A + L * L)) + 1 / s(2))) / 4 + (g(1) * ((A * A + L * L) / (h2 * s(A * A + 3 * L * L)))) / 4)) / 2;
    // 3: candidate has 4, 3, 2, 1 n-grams of orders 1..4 (length 3).
    //    "birds fly": 2/√(4·2), 1/√(3·1), d 2;  "two birds flying": 2/√(4·3), 1/√(3·2), 0, d 1;
    //    "two birds fly away quickly": 4/√(4·5), 3/√(3·4), 2/√(2·3), 1/√(1·2), d -1;  "birds": 1/√4, d 3.
    const img3 = (10 * (g(2) * (2 / s(8) + 1 / s(3)) + g(1) * (2 / s(12) + 1 / s(6)) + g(1) * (4 / s(20) + 3 / s(12) + 2 / s(6) + 1 / s(2)) + g(3) * (1 / 2))) / 4 / 4;
    // 4: "the red car": 2/√(2·3), 1/√(1·2), d -1;  "red car parked outside": 2/√(2·4), 1/√(1·3), d -2.
    const img4 = (10 * (g(1) * (2 / s(6) + 1 / s(2)) + g(2) * (2 / s(8) + 1 / s(3)))) / 4 / 2;
    // 5: "man" (length 0): 1/√3 against each 3-word ref (d -2), 1/√4 against the 4-word one (d -3).
    const img5 = (10 * (g(2) / s(3) + g(2) / s(3) + g(3) / 2)) / 4 / 3;
    const expected = (img1 + img2 + img3 + img4 + img5) / 5; // ≈ 2.930
    expect(scores.ciderD).toBeCloseTo(expected, 12);
  });
});

describe('edge cases', () => {
  test('a candidate identical to its references scores BLEU 1 and ROUGE-L 1', () => {
    const caption = 'A man riding a horse on the beach.';
    const scores = scoreCaptions([caption, 'a dog'], [[caption, caption], ['a dog']]);
    for (const b of [scores.bleu1, scores.bleu2, scores.bleu3, scores.bleu4]) expect(b).toBeCloseTo(1, 8);
    expect(scores.rougeL).toBe(1);
  });

  test('an empty candidate scores 0, not NaN', () => {
    const scores = scoreCaptions(['', '...'], [['a dog runs'], ['a cat', 'the cat']]);
    for (const value of Object.values(scores)) expect(value).toBe(0);
  });

  test('an empty candidate beside others contributes 0 to every mean', () => {
    const scores = scoreCaptions(['a dog runs', ''], [['a dog runs'], ['a cat']]);
    expect(scores.rougeL).toBe(0.5);
    // Image 1 matches its reference exactly in orders 1-3 (no 4-grams): 10 · 3/4; image 2 adds 0.
    expect(scores.ciderD).toBeCloseTo((10 * (3 / 4) + 0) / 2, 12);
    expect(Object.values(scores).every(Number.isFinite)).toBe(true);
  });

  test('mismatched or missing inputs are refused', () => {
    expect(() => scoreCaptions(['a', 'b'], [['a']])).toThrow('2 candidates but 1 reference sets');
    expect(() => scoreCaptions(['a'], [[]])).toThrow('candidate 0 has no references');
    expect(() => scoreCaptions([], [])).toThrow('no captions to score');
  });
});
