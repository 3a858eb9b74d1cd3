/**
 * `altbridge trust report` and `altbridge trust calibrate`: fit and check the quality estimate of a
 * ShapesWorld bundle on held-out scenes and out-of-domain images fetched on demand (research/trust/).
 * `report` writes reports/trust/REPORT.md (and, with --write-bundle, the calibration into the
 * bundle's manifest); `calibrate` writes the calibration alone.
 */
import * as path from 'path';
import { TRUST_DEFAULTS, trustReport } from '../research/trust/report';
import { defineCommand, Options, Values } from './command';
import { cacheDir } from '../worker/cache-dir';
import { LAB_BUNDLE } from '../worker/bundle/load';

/** The options both modes take. */
const TRUST_OPTIONS = {
  bundle: { type: 'text', arg: 'NAME|PATH', default: LAB_BUNDLE, help: 'a ShapesWorld bundle (its claim checker labels the captions)' },
  cache: { type: 'text', arg: 'DIR', defaultText: '$ALTBRIDGE_CACHE/trust', help: 'where the out-of-domain images are fetched and drawn' },
  scenes: { type: 'whole', min: 2, default: TRUST_DEFAULTS.scenes, help: 'held-out ShapesWorld scenes, from seeds the bundle never saw' },
  'per-source': { type: 'whole', min: 2, default: TRUST_DEFAULTS.perSource, help: 'out-of-domain images from each source' },
} satisfies Options;

async function trust(values: Values<typeof TRUST_OPTIONS> & { out?: string; 'write-bundle'?: boolean }, mode: 'report' | 'calibrate'): Promise<number> {
  const { bundle } = values;
  const words = [
    'npx altbridge trust',
    mode,
    ...(bundle !== TRUST_OPTIONS.bundle.default ? ['--bundle', bundle] : []),
    ...(values.scenes !== TRUST_DEFAULTS.scenes ? ['--scenes', String(values.scenes)] : []),
    ...(values['per-source'] !== TRUST_DEFAULTS.perSource ? ['--per-source', String(values['per-source'])] : []),
  ];
  if (mode === 'report' && values['write-bundle']) words.push('--write-bundle');
  const r = await trustReport({
    ...TRUST_DEFAULTS,
    bundle,
    cache: values.cache ?? cacheDir('trust'),
    scenes: values.scenes,
    perSource: values['per-source'],
    out: values.out ?? null,
    writeBundle: mode === 'calibrate' || values['write-bundle'] === true,
    command: words.join(' '),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const all = r.auroc[r.auroc.length - 1];
  process.stdout.write(
    `${r.bundle}: AUROC in vs out of domain ${all.quality.toFixed(3)} (quality), ${all.distance.toFixed(3)} (CLIP distance), ${Number.isFinite(all.colour) ? all.colour.toFixed(3) : 'n/a'} (colour distance); ECE ${r.reliability.ece.toFixed(3)}; ` +
      `T ${r.calibration.threshold.toFixed(3)}${r.threshold.reached ? '' : ' (goal not reached)'}: ${(100 * r.check.precision).toFixed(1)} % of ${r.check.above} published in-domain captions correct, ` +
      `${r.check.heldBack} of ${r.check.inDomain} held back, ${r.check.oodThrough} of ${r.check.ood} out-of-domain published\n`,
  );
  if (values.out) process.stdout.write(`wrote ${path.join(values.out, 'REPORT.md')}\n`);
  if (mode === 'calibrate' || values['write-bundle']) process.stdout.write(`wrote the calibration into ${bundle}'s manifest.json\n`);
  return 0;
}

export const trustReportCommand = defineCommand({
  name: 'trust report',
  summary: 'fit and check the quality estimate of a ShapesWorld bundle: REPORT.md with AUROC, reliability, ECE and the threshold T',
  about: 'Held-out ShapesWorld scenes labelled by the claim checker, against out-of-domain images fetched into the cache on demand (Debian desktop-base, npm emoji-datasource-google, drawn charts).',
  options: {
    ...TRUST_OPTIONS,
    out: { type: 'text', arg: 'DIR', default: path.join('reports', 'trust'), help: 'folder of REPORT.md' },
    'write-bundle': { type: 'flag', help: "also write the calibration into the bundle's manifest (as trust calibrate)" },
  },
  example: 'altbridge trust report --scenes 200 --per-source 50 --out /tmp/trust',
  run: (values) => trust(values, 'report'),
});

export const trustCalibrateCommand = defineCommand({
  name: 'trust calibrate',
  summary: "the fit of trust report, written into the bundle's manifest (field quality) without the report",
  options: TRUST_OPTIONS,
  example: 'altbridge trust calibrate --bundle shapes-mini',
  run: (values) => trust(values, 'calibrate'),
});
