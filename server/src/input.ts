/**
 * Request input checked with the engine's own rules (worker/validate.ts's wholeNumberIn, the
 * bridging schedule), so the admin API refuses exactly what the engine would. Their RangeError is
 * the caller's mistake: it becomes InvalidInput (a 400) here and nowhere else. Other RangeErrors
 * (a bug) are left alone, to surface as 500s.
 */
import { bridgingSchedule } from '../../worker/diffusion';
import { wholeNumberIn } from '../../worker/validate';
import type { Range } from './contracts';
import { InvalidInput } from './errors';

export function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof RangeError) throw new InvalidInput(err.message);
    throw err;
  }
}

/** A database row id (PostgreSQL's integer): larger ones are refused here rather than by the database, as a 500. */
export const ROW_ID: Range = [1, 2_147_483_647];

/** A whole number in `range` (a numeric string counts: query strings). */
export const whole = (name: string, value: unknown, [min, max]: Range): number => checked(() => wholeNumberIn(name, value, min, max));

/** As whole(), with undefined, null and '' meaning "not given". */
export const optionalWhole = (name: string, value: unknown, range: Range): number | undefined => (value === undefined || value === null || value === '' ? undefined : whole(name, value, range));

/** M and S as the engine will run them: S defaults to min(defaultSteps, M) and may not exceed M. */
export const schedule = (m: number, steps: number | undefined, defaultSteps: number): { m: number; steps: number } => {
  const s = checked(() => bridgingSchedule(m, steps, defaultSteps));
  return { m: s.m, steps: s.steps };
};
