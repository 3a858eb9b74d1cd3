/** The `altbridge` command line: every command, and which one the arguments name. */
import { benchCommands } from './bench';
import { captionCommand } from './caption';
import type { Command } from './command';
import { demo } from './demo';
import { doctorCommand } from './doctor';
import { evalCommand } from './eval';
import { evalTextCommand } from './eval-text';
import { corpusFetch, modelsFetch } from './fetch';
import { finetuneCommand } from './finetune';
import { commandList, overallHelp } from './help';
import { imagesMeanCommand } from './images-mean';
import { modelsAddCorpus, modelsImportClip, modelsList, modelsMakeRandom } from './models';
import { shapesBuild, shapesGenerate, shapesLevers, shapesReportCommand } from './shapes';
import { artBuild, artReportCommand } from './art';
import { trainCommand } from './train';
import { trustCalibrateCommand, trustReportCommand } from './trust';
import { queueWorkerCommand } from './worker';

/** In the order the overall help lists them. */
export const COMMANDS: readonly Command[] = [
  demo,
  captionCommand,
  trainCommand,
  finetuneCommand,
  evalTextCommand,
  shapesGenerate,
  shapesBuild,
  shapesReportCommand,
  shapesLevers,
  artBuild,
  artReportCommand,
  evalCommand,
  modelsList,
  modelsMakeRandom,
  modelsFetch,
  modelsImportClip,
  modelsAddCorpus,
  imagesMeanCommand,
  corpusFetch,
  ...benchCommands,
  trustReportCommand,
  trustCalibrateCommand,
  doctorCommand,
  queueWorkerCommand,
];

const isHelp = (word: string | undefined) => word === '--help' || word === '-h';

/** The command the first words name, and the arguments after them. */
function find(argv: string[]): { command: Command; args: string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, args: argv.slice(words.length) };
  }
  return undefined;
}

/** The commands under a first word such as "models", listed as the overall help lists them. */
function group(word: string | undefined): string | undefined {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${word} `));
  return members.length ? `Usage: altbridge ${word} SUBCOMMAND [options]\n\n${commandList(members)}` : undefined;
}

/** Runs the command `argv` names; its exit status (2 for a command that does not exist). */
export async function runCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const asked = first === 'help' ? rest : isHelp(first) || first === undefined ? [] : undefined;
  if (asked?.length === 0) {
    process.stdout.write(overallHelp(COMMANDS));
    return 0;
  }
  const found = find(asked ?? argv);
  if (found) {
    if (!asked) return found.command.main(found.args);
    process.stdout.write(found.command.help());
    return 0;
  }
  const words = asked ?? argv;
  const listing = group(words[0]);
  if (listing && (asked ? words.length === 1 : isHelp(words[1]))) {
    process.stdout.write(listing);
    return 0;
  }
  process.stderr.write(`altbridge: unknown command "${words.join(' ')}"\n\n${listing ?? overallHelp(COMMANDS)}`);
  return 2;
}
