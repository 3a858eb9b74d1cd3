/** `--name value` options of the standalone bench scripts (`npx tsx bench/NAME.ts --steps 500`). */
export function numberOption(name: string, fallback: number, argv: string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number >= 1, got "${argv[i + 1] ?? ''}"`);
  return v;
}

/** Runs a bench script's main, printing a failure as one line and exit status 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
