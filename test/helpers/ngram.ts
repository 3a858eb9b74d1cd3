/** The first run of `n` items (tokens, words) that `items` holds twice, space-joined, or null. */
export function repeatedRun(items: readonly (number | string)[], n: number): string | null {
  const seen = new Set<string>();
  for (let i = 0; i + n <= items.length; i++) {
    const run = items.slice(i, i + n).join(' ');
    if (seen.has(run)) return run;
    seen.add(run);
  }
  return null;
}
