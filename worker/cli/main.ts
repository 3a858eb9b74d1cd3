/** The `altbridge` command line. */
import { parseArgs } from 'util';
import { BENCH_DEFAULTS, benchTrain } from './bench-train';
import { demo } from './demo';

const HELP = `altbridge: alt text for Strapi media (CLIP + Diffusion Bridge + caption decoder on onnxruntime)

Usage: altbridge <command> [options]

Commands:
  demo                 train a small caption decoder from scratch on built-in captions and decode them
  bench train          tokens/s of a decoder train step on onnxruntime vs PyTorch (CPU), same run
                         --layers 4 --width 512 --heads 8 --seq 24 --batch 64 --vocab 4096
                         --threads 2 --steps 10 --warmup 3 --no-torch
  help                 this text

Environment:
  ALTBRIDGE_PROVIDERS  execution providers in order, e.g. "cuda,cpu" (default "cpu")
  ALTBRIDGE_THREADS    onnxruntime intra-op threads (default: all cores)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === 'demo') return demo();
  if (command === 'bench' && rest[0] === 'train') {
    const num = { type: 'string' } as const;
    const { values } = parseArgs({
      args: rest.slice(1),
      options: { layers: num, width: num, heads: num, seq: num, batch: num, vocab: num, threads: num, steps: num, warmup: num, 'no-torch': { type: 'boolean' } },
    });
    const opts = { ...BENCH_DEFAULTS, torch: !values['no-torch'] };
    for (const key of ['layers', 'width', 'heads', 'seq', 'batch', 'vocab', 'threads', 'steps', 'warmup'] as const) {
      const v = values[key];
      if (v === undefined) continue;
      const n = Number(v);
      if (!Number.isInteger(n) || n < (key === 'warmup' ? 0 : 1)) throw new Error(`--${key} must be a positive whole number, got "${v}"`);
      opts[key] = n;
    }
    await benchTrain(opts);
    return 0;
  }
  process.stderr.write(`altbridge: unknown command "${argv.join(' ')}"\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`altbridge: ${err.message}\n`);
    process.exit(1);
  },
);
