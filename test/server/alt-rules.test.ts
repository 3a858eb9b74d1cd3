/**
 * The alt-text quality rules (server/src/alt-rules.ts) run by PostgreSQL itself on fixtures: for each
 * rule, alt texts it must flag and alt texts it must leave alone.
 */
import { Client } from 'pg';
import { ruleSql } from '../../server/src/alt-rules';
import { ALT_RULE_IDS, AltRuleId, AUDIT_RULE_LIMITS } from '../../server/src/contracts';

let db: Client;
beforeAll(async () => {
  db = new Client({ host: process.env.DATABASE_HOST ?? '127.0.0.1', port: Number(process.env.DATABASE_PORT ?? 5432), user: process.env.DATABASE_USERNAME ?? 'postgres', database: 'postgres' });
  await db.connect();
});
afterAll(() => db?.end());

interface Fixture {
  alt: string | null;
  name?: string;
  /** Images with the same alt text (1: only this one). */
  same?: number;
  decorative?: boolean;
}

const limits = { maxLength: AUDIT_RULE_LIMITS.maxLength.default, duplicateMin: AUDIT_RULE_LIMITS.duplicateMin.default };
const sql = ruleSql({ alt: 'r.alt', name: 'r.name', same: 'r.same', decorative: 'r.decorative' }, limits);

/** The rules PostgreSQL finds broken by one fixture. */
async function broken(f: Fixture): Promise<AltRuleId[]> {
  const { rows } = await db.query(
    `select ${ALT_RULE_IDS.map((id) => `${sql[id]} as "${id}"`).join(', ')} from (select $1::text as alt, $2::text as name, $3::int as same, $4::boolean as decorative) r`,
    [f.alt, f.name ?? 'harbour-at-dusk.jpg', f.same ?? 1, f.decorative ?? false],
  );
  return ALT_RULE_IDS.filter((id) => rows[0][id]);
}

const long = 'A ' + 'very '.repeat(30) + 'long description of a red boat moored in a quiet harbour.';

const CASES: Record<AltRuleId, { bad: Fixture[]; good: Fixture[] }> = {
  missing: { bad: [{ alt: null }], good: [{ alt: null, decorative: true }, { alt: '' }, { alt: 'A red boat in a harbour' }] },
  empty: { bad: [{ alt: '' }, { alt: '   \n' }], good: [{ alt: '', decorative: true }, { alt: null }, { alt: 'A red boat' }] },
  'file-name': {
    bad: [
      { alt: 'IMG_2041.jpg' },
      { alt: 'IMG_2041' },
      { alt: 'DSC01234' },
      { alt: 'PXL_20240101_123456789' },
      { alt: 'Screenshot 2024-03-01 at 10.22.31' },
      { alt: 'boat.png' },
      { alt: 'hero_banner_final' },
      { alt: '3f2a9c81d0e4' },
      { alt: '123e4567-e89b-12d3-a456-426614174000' },
      { alt: 'harbour-at-dusk', name: 'harbour-at-dusk.jpg' },
      { alt: 'Harbour-At-Dusk.JPG', name: 'harbour-at-dusk.jpg' },
    ],
    good: [{ alt: 'A red boat in a harbour at dusk' }, { alt: 'T-shirt with a printed logo' }, { alt: 'Deadbeef the cat' }, { alt: 'Photo booth at the 2024 fair' }],
  },
  placeholder: {
    bad: [
      { alt: 'image' },
      { alt: 'Photo' },
      { alt: 'picture 1' },
      { alt: 'graphic' },
      { alt: 'untitled-3' },
      { alt: 'alt' },
      { alt: 'Alt text' },
      { alt: 'TODO' },
      { alt: 'spacer' },
      { alt: 'placeholder image' },
    ],
    good: [{ alt: 'A photographer on a pier' }, { alt: 'Company logo of Acme' }, { alt: 'Spacer bars for a bicycle' }, { alt: 'Image of a boat' }],
  },
  'redundant-lead-in': {
    bad: [{ alt: 'Image of a red boat' }, { alt: 'photo of two dogs' }, { alt: 'A picture of a harbour' }, { alt: 'This is an image showing a map' }, { alt: 'Screenshot of the settings page' }],
    good: [{ alt: 'A red boat' }, { alt: 'Imagery of the coast from a satellite' }, { alt: 'Photographer at work' }, { alt: 'Two dogs look at a picture of a cat' }],
  },
  'too-long': { bad: [{ alt: long }], good: [{ alt: 'A red boat moored in a quiet harbour at dusk' }, { alt: 'x'.repeat(limits.maxLength) }] },
  duplicate: {
    bad: [
      { alt: 'Our team', same: 3 },
      { alt: 'Our team', same: 40 },
    ],
    good: [{ alt: 'Our team', same: 2 }, { alt: 'Our team' }, { alt: '', same: 50 }],
  },
  'symbols-only': {
    bad: [{ alt: '...' }, { alt: '-' }, { alt: '★★★' }, { alt: '🙂 🎉' }, { alt: '→ *' }],
    good: [{ alt: 'A ★ rating' }, { alt: 'Café terrace' }, { alt: '日本の庭' }, { alt: '2024' }],
  },
  'all-caps': { bad: [{ alt: 'RED BOAT IN A HARBOUR' }, { alt: 'SUMMER SALE: 50% OFF' }], good: [{ alt: 'UNESCO' }, { alt: 'NASA logo on a rocket' }, { alt: 'A red boat' }, { alt: '2024 - 2025' }] },
};

describe.each(ALT_RULE_IDS)('rule %s', (id) => {
  test.each(CASES[id].bad.map((f) => [JSON.stringify(f), f] as const))('flags %s', async (_, f) => {
    expect(await broken(f)).toContain(id);
  });
  test.each(CASES[id].good.map((f) => [JSON.stringify(f), f] as const))('leaves %s alone', async (_, f) => {
    expect(await broken(f)).not.toContain(id);
  });
});

test('good alt text breaks no rule; a decorative image with no text breaks none either', async () => {
  expect(await broken({ alt: 'A red boat moored in a quiet harbour at dusk' })).toEqual([]);
  expect(await broken({ alt: '', decorative: true })).toEqual([]);
  expect(await broken({ alt: null, decorative: true })).toEqual([]);
});

test("the thresholds are the caller's", async () => {
  const strict = ruleSql({ alt: '$1::text', name: "''", same: '$2::int', decorative: 'false' }, { maxLength: 20, duplicateMin: 2 });
  const { rows } = await db.query(`select ${strict['too-long']} as long, ${strict.duplicate} as dup`, ['A red boat in a quiet harbour', 2]);
  expect(rows[0]).toEqual({ long: true, dup: true });
});
