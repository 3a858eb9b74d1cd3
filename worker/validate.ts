/** The one whole-number check of every layer (CLI options, admin API input, bundle files). */

/**
 * `value` as a whole number in [min, max]; a numeric string is parsed (CLI options). Anything else
 * is a RangeError naming the value as given.
 */
export function wholeNumberIn(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new RangeError(`${name} must be a whole number ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}
