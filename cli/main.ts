/** The `altbridge` entry point: runs the command line and exits with its status. */
import { runCli } from './cli';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`altbridge: ${err.message}\n`);
    process.exit(1);
  },
);
