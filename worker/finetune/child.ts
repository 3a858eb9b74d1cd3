/**
 * Child-process entry of a fine-tuning run: `node child.js SPEC.json` (tsx runs child.ts in a checkout), forked with an
 * IPC channel. Sends FinetuneMessages to the parent; a 'cancel' message or SIGTERM stops the run
 * after the current step (its checkpoints stay in runDir).
 */
import * as fs from 'fs';
import { FinetuneMessage, FinetuneSpec, runFinetune } from './job';

const abort = new AbortController();
const send = (m: FinetuneMessage) => process.send?.(m);
process.on('message', (m) => m === 'cancel' && abort.abort());
process.on('SIGTERM', () => abort.abort());
// The parent went away: stop rather than train for nobody.
process.on('disconnect', () => abort.abort());

/** The last message, then exit once it is out. */
const finish = (m: FinetuneMessage | null, code: number) => {
  if (m && process.send && process.connected) process.send(m, () => process.exit(code));
  else process.exit(code);
};

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as FinetuneSpec;
// 'done' goes out last, once the process is about to exit.
runFinetune(spec, (m) => m.type !== 'done' && send(m), abort.signal).then(
  (done) => finish(done, 0),
  (err: Error) => finish({ type: 'error', message: err.message, cancelled: abort.signal.aborted }, abort.signal.aborted ? 2 : 1),
);
