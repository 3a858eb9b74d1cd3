/** Training progress on stderr: a line per stage, and a one-line bar per training stage (plain periodic lines off a terminal). */
import { Progress } from '../worker/train/trainer';

/** What a bar shows of a training step. */
export type BarProgress = Pick<Progress, 'step' | 'total' | 'loss' | 'lr' | 'unitsPerSec' | 'etaSec'>;

const fmtTime = (s: number) => {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (p: BarProgress) => void {
  let lastLine = 0;
  let first = true;
  return (p) => {
    // A run that picked up from a checkpoint says so once.
    if (first && p.step > 1) stream.write(`${label}: resumed from its checkpoint at step ${p.step - 1}\n`);
    first = false;
    const frac = p.step / p.total;
    const text = `${label} ${p.step}/${p.total} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(1)} ${p.unitsPerSec.toFixed(0)}/s eta ${fmtTime(p.etaSec)}`;
    if (stream.isTTY) {
      const width = 24;
      const filled = Math.round(frac * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      if (p.step === p.total) stream.write('\n');
    } else if (p.step === p.total || Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      stream.write(`${text}\n`);
    }
  };
}

/** `[stage] detail` as each stage starts, and a bar per training stage. */
export function stageReporter(): { onStage: (stage: string, detail: string) => void; onProgress: (stage: string, p: BarProgress) => void } {
  const bars = new Map<string, (p: BarProgress) => void>();
  return {
    onStage: (stage, detail) => process.stderr.write(`[${stage}] ${detail}\n`),
    onProgress: (stage, p) => {
      if (!bars.has(stage)) bars.set(stage, progressBar(stage));
      bars.get(stage)!(p);
    },
  };
}

/** Ctrl-C stops a training run after its current step (checkpointed); the same command resumes it. */
export function stopOnCtrlC(): AbortSignal {
  const abort = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after this step (checkpointed; run the same command to resume)...\n');
    abort.abort();
  });
  return abort.signal;
}
