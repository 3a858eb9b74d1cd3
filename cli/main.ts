/** The `altbridge` command line: finds the command (and subcommand) and runs it. */
import { benchCommands } from './bench';
import { captionCommand } from './caption';
import { demo } from './demo';
import { doctorCommand } from './doctor';
import { evalCommand } from './eval';
import { evalTextCommand } from './eval-text';
import { corpusFetch, modelsFetch } from './fetch';
import { finetuneCommand } from './finetune';
import { HELP } from './help';
import { imagesMeanCommand } from './images-mean';
import { modelsAddCorpus, modelsImportClip, modelsList, modelsMakeRandom } from './models';
import { shapesBuild, shapesGenerate, shapesReportCommand } from './shapes';
import { trainCommand } from './train';
import { trustCalibrateCommand, trustReportCommand } from './trust';
import { queueWorkerCommand } from './worker';

/** A command: its arguments after the command words -> the exit status. */
type Command = (args: string[]) => number | Promise<number>;

const COMMANDS: Record<string, Command | Record<string, Command>> = {
  demo,
  caption: captionCommand,
  train: trainCommand,
  finetune: finetuneCommand,
  'eval-text': evalTextCommand,
  eval: evalCommand,
  'images-mean': imagesMeanCommand,
  doctor: doctorCommand,
  worker: queueWorkerCommand,
  shapes: { generate: shapesGenerate, build: shapesBuild, report: shapesReportCommand },
  models: { list: modelsList, 'make-random': modelsMakeRandom, fetch: modelsFetch, 'import-clip': modelsImportClip, 'add-corpus': modelsAddCorpus },
  corpus: { fetch: corpusFetch },
  bench: benchCommands,
  trust: { report: trustReportCommand, calibrate: trustCalibrateCommand },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  const run = typeof entry === 'function' ? entry : entry && rest[0] && Object.hasOwn(entry, rest[0]) ? entry[rest[0]] : undefined;
  if (!run) {
    process.stderr.write(`altbridge: unknown command "${argv.join(' ')}"\n\n${HELP}`);
    return 2;
  }
  return run(typeof entry === 'function' ? rest : rest.slice(1));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`altbridge: ${err.message}\n`);
    process.exit(1);
  },
);
