/** Settings validation without Strapi: m null is the bundle's own M, and S is checked against the M in force. */
import { DEFAULT_SETTINGS, Settings } from '../../server/src/contracts';
import { validateSettings } from '../../server/src/services/settings';

const current: Settings = { ...DEFAULT_SETTINGS, bundle: 'a@1.0.0' };
const bundles = ['a@1.0.0', 'b@1.0.0'];
const ownM: Record<string, number> = { 'a@1.0.0': 3, 'b@1.0.0': 0 };
const validate = (input: Partial<Settings>) => validateSettings(current, input, bundles, (ref) => ownM[ref]);

test("m null is kept, and S may not exceed the bundle's own M then", () => {
  expect(validate({ steps: 3 })).toMatchObject({ m: null, steps: 3 });
  expect(() => validate({ steps: 4 })).toThrow(/DDIM steps/);
  // A bundle whose own M is 0 does not bridge: S is kept for when M is raised again.
  expect(validate({ bundle: 'b@1.0.0', steps: 20 })).toMatchObject({ m: null, bundle: 'b@1.0.0', steps: 20 });
});

test('a number sets M for every bundle, checked as before', () => {
  expect(validate({ m: 700, steps: 5 })).toMatchObject({ m: 700, steps: 5 });
  expect(() => validate({ m: 2, steps: 5 })).toThrow(/DDIM steps/);
  for (const m of [-1, 1001, 2.5]) expect(() => validate({ m })).toThrow(/^m /);
  expect(() => validate({ bundle: 'nope@1' })).toThrow(/bundle must be one of/);
});
