/** Arguments shared by the commands. */
import * as fs from 'fs';
import * as path from 'path';

/** Files named, and the files directly inside folders named (sorted, dotfiles skipped). */
export function expand(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
      return fs
        .readdirSync(p)
        .filter((f) => !f.startsWith('.'))
        .sort()
        .map((f) => path.join(p, f))
        .filter((f) => fs.statSync(f).isFile());
    }
    return [p];
  });
}

/** The --corpus option's help, for each command that reads a caption corpus. */
export const CORPUS_HELP = 'caption text: one caption per line (.txt), a caption column (.csv/.tsv) or field (.jsonl)';
