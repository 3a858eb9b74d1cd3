/**
 * `altbridge trust report` and `altbridge trust calibrate`: fit and check the quality estimate of a
 * ShapesWorld bundle on held-out scenes and out-of-domain images fetched on demand (research/trust/).
 * `report` writes reports/trust/REPORT.md (and, with --write-bundle, the calibration into the
 * bundle's manifest); `calibrate` writes the calibration alone.
 */
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { defaultBundleRef } from '../worker/bundle/load';
import { TRUST_DEFAULTS, trustReport } from '../research/trust/report';
import { wholeNumber } from './args';

const cacheDir = () => path.join(process.env.ALTBRIDGE_CACHE ?? path.join(os.homedir(), '.cache', 'altbridge'), 'trust');

async function trust(args: string[], mode: 'report' | 'calibrate'): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      bundle: { type: 'string' },
      out: { type: 'string' },
      cache: { type: 'string' },
      scenes: { type: 'string' },
      'per-source': { type: 'string' },
      'write-bundle': { type: 'boolean' },
    },
  });
  const bundle = values.bundle ?? defaultBundleRef();
  const words = [
    'npx altbridge trust',
    mode,
    ...(values.bundle ? ['--bundle', values.bundle] : []),
    ...(values.scenes ? ['--scenes', values.scenes] : []),
    ...(values['per-source'] ? ['--per-source', values['per-source']] : []),
  ];
  if (mode === 'report' && values['write-bundle']) words.push('--write-bundle');
  const r = await trustReport({
    ...TRUST_DEFAULTS,
    bundle,
    cache: values.cache ?? cacheDir(),
    scenes: wholeNumber('scenes', values.scenes, 2) ?? TRUST_DEFAULTS.scenes,
    perSource: wholeNumber('per-source', values['per-source'], 2) ?? TRUST_DEFAULTS.perSource,
    out: mode === 'report' ? (values.out ?? path.join('reports', 'trust')) : null,
    writeBundle: mode === 'calibrate' || values['write-bundle'] === true,
    command: words.join(' '),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const all = r.auroc[r.auroc.length - 1];
  process.stdout.write(
    `${r.bundle}: AUROC in vs out of domain ${all.quality.toFixed(3)} (quality), ${all.distance.toFixed(3)} (distance); ECE ${r.reliability.ece.toFixed(3)}; ` +
      `T ${r.calibration.threshold.toFixed(3)}${r.threshold.reached ? '' : ' (goal not reached)'}: ${(100 * r.check.precision).toFixed(1)} % of ${r.check.above} auto-written in-domain captions correct, ` +
      `${r.check.heldBack} of ${r.check.inDomain} held back, ${r.check.oodThrough} of ${r.check.ood} out-of-domain let through\n`,
  );
  if (mode === 'report') process.stdout.write(`wrote ${path.join(values.out ?? path.join('reports', 'trust'), 'REPORT.md')}\n`);
  if (mode === 'calibrate' || values['write-bundle']) process.stdout.write(`wrote the calibration into ${bundle}'s manifest.json\n`);
  return 0;
}

export const trustReportCommand = (args: string[]) => trust(args, 'report');
export const trustCalibrateCommand = (args: string[]) => trust(args, 'calibrate');
