/** The text of `altbridge help`: every command with its summary, from the commands' own declarations. */
import type { Command } from './command';

const ENVIRONMENT = `Environment:
  ALTBRIDGE_PROVIDERS  execution providers in order, e.g. "cuda,cpu" (default "cpu")
  ALTBRIDGE_THREADS    onnxruntime intra-op threads (default: all cores)
  ALTBRIDGE_MODELS     folder of model bundles (default: .altbridge/models when the working folder has one, else the package's models/)
  ALTBRIDGE_BUNDLE     bundle used when --bundle is not given
  ALTBRIDGE_CACHE      cache folder (text embeddings; default ~/.cache/altbridge)
  ALTBRIDGE_MIRROR     mirror root for models/corpus fetch: files of NAME from $ALTBRIDGE_MIRROR/NAME/
`;

/** "Commands:" and a line per command: its words and summary. */
export function commandList(commands: readonly Command[], extra: [string, string][] = []): string {
  const rows: [string, string][] = [...commands.map((c): [string, string] => [c.name, c.summary]), ...extra];
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return `Commands:\n${rows.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`).join('\n')}\n`;
}

export const overallHelp = (commands: readonly Command[]): string => `altbridge: alt text for Strapi media (CLIP + Diffusion Bridge + caption decoder on onnxruntime)

Usage: altbridge COMMAND [options]
       altbridge COMMAND --help   the command's options, their defaults and an example

${commandList(commands, [['help [COMMAND]', "this text, or a command's help"]])}
${ENVIRONMENT}`;
