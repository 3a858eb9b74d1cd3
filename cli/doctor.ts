/** `altbridge doctor [--json] [--redis URL] [--database URL] [--no-services]`: is this host ready, and if not, why. */
import * as ort from 'onnxruntime-node';
import { parseArgs } from 'util';
import { renderReport, runDoctor } from '../worker/doctor/report';

export async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, redis: { type: 'string' }, database: { type: 'string' }, 'no-services': { type: 'boolean' } },
  });
  // The report gives each provider's failure in one line; onnxruntime's own log would repeat it on stderr.
  ort.env.logLevel = 'fatal';
  const report = await runDoctor({ redisUrl: values.redis, databaseUrl: values.database, services: !values['no-services'] });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  return report.ok ? 0 : 1;
}
