/** A one-line progress bar for training runs on a terminal; plain periodic lines otherwise. */
import { Progress } from '../worker/train/trainer';

const fmtTime = (s: number) => {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  let lastLine = 0;
  return (p) => {
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
