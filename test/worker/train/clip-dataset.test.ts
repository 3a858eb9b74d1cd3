/**
 * CLIP training batches: each image with one of its captions, and with hard negatives the false
 * twin of that very caption (ids and mask) in the second half of the text batch.
 */
import { clipDataset } from '../../../worker/train/clip';
import { Rng } from '../../../worker/train/rng';

const n = 5;
const k = 3;
const len = 4;
const s = 2;
// Caption j of image i has ids 100 i + 10 j + (0..3); its twin 1000 more; masks differ per caption.
const ids = BigInt64Array.from({ length: n * k * len }, (_, x) => BigInt(100 * Math.floor(x / (k * len)) + 10 * (Math.floor(x / len) % k) + (x % len)));
const mask = BigInt64Array.from({ length: n * k * len }, (_, x) => (x % len < 1 + (Math.floor(x / len) % len) ? 1n : 0n));
const pixels = Float32Array.from({ length: n * 3 * s * s }, (_, x) => Math.floor(x / (3 * s * s)));
const negatives = { ids: ids.map((v) => v + 1000n), mask: mask.map((v) => 1n - v) };

test('with negatives, text row b + i is the false twin of the caption drawn for image i', () => {
  const data = clipDataset({ pixels, ids, mask, k, negatives }, s, len);
  const idx = Uint32Array.from([4, 0, 2]);
  const feeds = data.batch(idx, new Rng(3));
  expect(feeds.input_ids.dims).toEqual([6, len]);
  expect(feeds.attention_mask.dims).toEqual([6, len]);
  const got = feeds.input_ids.data as BigInt64Array;
  const m = feeds.attention_mask.data as BigInt64Array;
  idx.forEach((img, i) => {
    expect(Number((feeds.pixel_values.data as Float32Array)[i * 3 * s * s])).toBe(img);
    const first = Number(got[i * len]);
    expect(Math.floor(first / 100)).toBe(img);
    const caption = (first % 100) / 10;
    expect(Array.from(got.subarray((idx.length + i) * len, (idx.length + i + 1) * len), Number)).toEqual(Array.from(got.subarray(i * len, (i + 1) * len), (v) => Number(v) + 1000));
    expect(Array.from(m.subarray((idx.length + i) * len, (idx.length + i + 1) * len))).toEqual(Array.from(m.subarray(i * len, (i + 1) * len), (v) => 1n - v));
    expect(caption).toBeLessThan(k);
  });
});

test('without negatives the text batch is the B captions; mismatched negatives are refused', () => {
  const feeds = clipDataset({ pixels, ids, mask, k }, s, len).batch(Uint32Array.from([1, 3]), new Rng(4));
  expect(feeds.input_ids.dims).toEqual([2, len]);
  expect(() => clipDataset({ pixels, ids, mask, k, negatives: { ids: ids.subarray(len), mask } }, s, len)).toThrow('not one false caption per caption');
});

test('with groups an example is a group of consecutive images, all in its batch; a remainder is refused', () => {
  const six = Float32Array.from({ length: 6 * 3 * s * s }, (_, x) => Math.floor(x / (3 * s * s)));
  const sixIds = BigInt64Array.from({ length: 6 * k * len }, (_, x) => BigInt(100 * Math.floor(x / (k * len))));
  const sixMask = sixIds.map(() => 1n);
  const data = clipDataset({ pixels: six, ids: sixIds, mask: sixMask, k, group: 2 }, s, len);
  expect(data.size).toBe(3);
  const feeds = data.batch(Uint32Array.from([2, 0]), new Rng(5));
  const px = feeds.pixel_values.data as Float32Array;
  expect([0, 1, 2, 3].map((i) => px[i * 3 * s * s])).toEqual([4, 5, 0, 1]);
  expect(Array.from({ length: 4 }, (_, i) => Number((feeds.input_ids.data as BigInt64Array)[i * len]) / 100)).toEqual([4, 5, 0, 1]);
  expect(() => clipDataset({ pixels, ids, mask, k, group: 2 }, s, len)).toThrow('5 images do not split into groups of 2');
});

test('attributes go with their images, groups too; labels that do not fit the images are refused', () => {
  const count = 3;
  // Image i's labels are i, i + 0.25, i + 0.5 (any numbers do: the batch copies rows).
  const labels = Float32Array.from({ length: 6 * count }, (_, x) => Math.floor(x / count) + (x % count) / 4);
  const six = Float32Array.from({ length: 6 * 3 * s * s }, (_, x) => Math.floor(x / (3 * s * s)));
  const sixIds = BigInt64Array.from({ length: 6 * k * len }, () => 1n);
  const data = clipDataset({ pixels: six, ids: sixIds, mask: sixIds, k, group: 2, attributes: { labels, count, weight: 1 } }, s, len);
  const feeds = data.batch(Uint32Array.from([2, 0]), new Rng(5));
  expect(feeds.attributes.dims).toEqual([4, count]);
  expect(Array.from(feeds.attributes.data as Float32Array)).toEqual([4, 4.25, 4.5, 5, 5.25, 5.5, 0, 0.25, 0.5, 1, 1.25, 1.5]);
  expect(clipDataset({ pixels, ids, mask, k }, s, len).batch(Uint32Array.from([1]), new Rng(4)).attributes).toBeUndefined();
  expect(() => clipDataset({ pixels, ids, mask, k, attributes: { labels, count, weight: 1 } }, s, len)).toThrow('18 attribute labels are not 5 images x 3');
});

test('stated facts go with the caption drawn for each image; labels that do not fit the captions are refused', () => {
  const count = 2;
  // Caption j of image i states (100 i + 10 j, 100 i + 10 j + 1); its ids start at 100 i + 10 j.
  const labels = Float32Array.from({ length: n * k * count }, (_, x) => 100 * Math.floor(x / (k * count)) + 10 * (Math.floor(x / count) % k) + (x % count));
  const attributes = { labels: new Float32Array(n), count: 1, weight: 1, stated: { labels, count } };
  const feeds = clipDataset({ pixels, ids, mask, k, attributes }, s, len).batch(Uint32Array.from([4, 1, 2]), new Rng(7));
  expect(feeds.stated_attributes.dims).toEqual([3, count]);
  const got = feeds.stated_attributes.data as Float32Array;
  [0, 1, 2].forEach((i) => {
    const first = Number((feeds.input_ids.data as BigInt64Array)[i * len]);
    expect([got[i * count], got[i * count + 1]]).toEqual([first, first + 1]);
  });
  expect(clipDataset({ pixels, ids, mask, k, attributes: { ...attributes, stated: undefined } }, s, len).batch(Uint32Array.from([1]), new Rng(4)).stated_attributes).toBeUndefined();
  expect(() => clipDataset({ pixels, ids, mask, k, attributes: { ...attributes, stated: { labels: labels.subarray(2), count } } }, s, len)).toThrow(
    '28 stated-fact labels are not 5 images x 3 captions x 2',
  );
});
