/** Option parsing shared by the commands. */

/** A whole-number option at least `min`, or undefined when not given. */
export function wholeNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}
